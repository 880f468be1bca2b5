"""Frame sources (files, a camera through the same interface) and the One Euro filter."""

import math

import cv2
import numpy as np
import pytest

from formcheck.errors import FormcheckError
from formcheck.filters import OneEuroFilter
from formcheck.video.sources import CameraLostError, CameraSource, PrefetchingSource, VideoFileSource


def write_video(path, frames=60, fps=30.0, fourcc="MJPG"):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), fps, (160, 120))
    for i in range(frames):
        image = np.zeros((120, 160, 3), np.uint8)
        cv2.putText(image, str(i), (10, 80), cv2.FONT_HERSHEY_SIMPLEX, 2, (255, 255, 255), 3)
        writer.write(image)
    writer.release()
    return path


def read_all(source):
    out = []
    while (frame := source.read()) is not None:
        out.append(frame)
    return out


def test_file_timestamps_come_from_the_file_not_the_clock(tmp_path):
    video = write_video(tmp_path / "a.avi", frames=45, fps=15.0)
    frames = read_all(VideoFileSource(video))
    assert len(frames) == 45
    assert [f.t_s for f in frames[:3]] == [0.0, 1 / 15, 2 / 15]
    assert frames[-1].t_s == pytest.approx(44 / 15)


def test_prefetching_keeps_every_frame_in_order_and_converts_to_rgb(tmp_path):
    video = write_video(tmp_path / "a.avi", frames=40)
    source = PrefetchingSource(VideoFileSource(video), depth=2)
    frames = read_all(source)
    source.close()
    assert [f.index for f in frames] == list(range(40))
    assert frames[5].image_rgb is not None
    cap = cv2.VideoCapture(str(video))  # the same picture OpenCV decodes, as RGB
    cap.set(cv2.CAP_PROP_POS_FRAMES, 5)
    ok, bgr = cap.read()
    cap.release()
    assert ok and np.abs(frames[5].image_rgb.astype(int) - bgr[:, :, ::-1]).mean() < 2.0


@pytest.mark.parametrize(
    "make,fragment",
    [
        (lambda p: p / "missing.mp4", "No such video file"),
        (lambda p: p, "is a folder"),
        (
            lambda p: (p / "notes.mp4").write_text("not a video") and p / "notes.mp4",
            "cannot be read as a video",
        ),
    ],
)
def test_bad_files_give_one_sentence(tmp_path, make, fragment):
    with pytest.raises(FormcheckError) as info:
        VideoFileSource(make(tmp_path))
    assert fragment in info.value.message


def test_truncated_file_is_read_to_where_it_breaks_and_flagged(tmp_path):
    video = write_video(tmp_path / "full.avi", frames=90)
    data = video.read_bytes()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(data[: len(data) * 6 // 10])
    source = VideoFileSource(cut)
    frames = read_all(source)
    assert 30 < len(frames) < 90
    assert source.truncated
    complete = VideoFileSource(video)
    read_all(complete)
    assert not complete.truncated


def test_camera_interface_runs_on_a_video_file_and_reports_loss(tmp_path, monkeypatch):
    video = write_video(tmp_path / "cam.avi", frames=20)
    camera = CameraSource(str(video))
    assert camera.live
    frames = []
    with pytest.raises(CameraLostError) as info:
        monkeypatch.setattr("formcheck.video.camera.CAMERA_FAILED_READS", 3)
        while True:
            frames.append(camera.read())
    assert len(frames) == 20
    assert all(b.t_s >= a.t_s for a, b in zip(frames, frames[1:], strict=False))
    assert "everything recorded so far is kept" in info.value.message


def test_missing_camera_says_what_to_do():
    with pytest.raises(FormcheckError) as info:
        CameraSource(97)
    assert "Camera 97 is not available" in info.value.message


def test_one_euro_smooths_jitter_and_follows_motion():
    rng = np.random.default_rng(0)
    f = OneEuroFilter()
    still = [f(np.array([100.0, 100.0]) + rng.normal(0, 2.0, 2), i / 30) for i in range(60)]
    assert np.std(np.array(still[30:]), axis=0).max() < 1.0  # raw jitter is 2 px
    # A steady 300 px/s motion: the filtered point lags by only a few pixels.
    moving = [f(np.array([100.0 + 10.0 * i, 100.0]), 2 + i / 30) for i in range(30)]
    assert abs(moving[-1][0] - (100 + 290)) < 15


def test_one_euro_holds_unseen_points_and_restarts_after_a_long_gap():
    f = OneEuroFilter(reset_after_s=0.5)
    f(np.array([[0.0, 0.0], [10.0, 10.0]]), 0.0)
    out = f(np.array([[1.0, 1.0], [np.nan, np.nan]]), 1 / 30)
    assert math.isnan(out[1, 0]) and not math.isnan(out[0, 0])
    # The point comes back far away after 1 s: it starts there rather than sliding across.
    out = f(np.array([[1.0, 1.0], [300.0, 300.0]]), 1.0)
    assert out[1].tolist() == [300.0, 300.0]


def test_open_source_picks_the_source_from_what_it_is_given(tmp_path):
    from formcheck.video.sources import open_source

    video = write_video(tmp_path / "a.avi", frames=5)
    source = open_source(str(video))
    assert isinstance(source, VideoFileSource) and not source.live
    with pytest.raises(FormcheckError) as info:
        open_source("97")  # a digit string is a camera index
    assert "Camera 97 is not available" in info.value.message
    with pytest.raises(FormcheckError) as info:
        open_source(tmp_path / "nothing.mp4")
    assert "No such video file" in info.value.message
