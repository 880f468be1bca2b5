"""The pose model on more than one thread: the setting reaches both TensorFlow Lite models of each graph,
the landmarks are the same as on one thread, and batch workers share the cores out instead of crowding
them. (How much faster it is is a benchmark's business: ``formcheck bench``, figures in docs/figures.md.)"""

from __future__ import annotations

import numpy as np
import pytest

from formcheck import native
from formcheck.batch import worker
from formcheck.batch.engine import Engine
from formcheck.errors import FormcheckError
from formcheck.pose import MAX_INFERENCE_THREADS, MediaPipePose, default_inference_threads, usable_cores
from formcheck.resources import samples_dir
from formcheck.video.files import MODEL_SIDE_PX, VideoFileSource

CLIP = "k2c_head_lift_female_left.mp4"


def _estimator(threads: int, check_others: bool = True) -> MediaPipePose:
    with native.quiet_stderr():
        return MediaPipePose(threads=threads, check_others=check_others)


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_every_inference_node_of_both_graphs_gets_the_thread_count(threads: int) -> None:
    estimator = _estimator(threads)
    try:
        for graph in (estimator._pose, estimator._others_pose):
            # the detector and the landmark model; read back from the running graph, not from our code
            assert graph.threaded_nodes == 2
            assert graph._graph.text_config.count(f"num_threads: {threads}") == 2
    finally:
        estimator.close()


def test_zero_threads_is_refused_in_a_sentence() -> None:
    with pytest.raises(FormcheckError, match="at least one thread"):
        MediaPipePose(threads=0)


def test_default_threads_share_out_the_usable_cores() -> None:
    cores = usable_cores()
    assert default_inference_threads() == max(1, min(MAX_INFERENCE_THREADS, cores))
    assert default_inference_threads(processes=cores) == 1
    assert default_inference_threads(processes=cores * 4) == 1  # never none


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", 1), ("2", 2), (" 3 ", 3), ("99", MAX_INFERENCE_THREADS), ("0", None), ("two", None), ("", None)],
)
def test_a_worker_reads_its_thread_count_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: int | None
) -> None:
    monkeypatch.setenv(worker.POSE_THREADS_ENV, value)
    # outside a Dask worker, a missing or unusable value means every usable core
    assert worker.pose_threads() == (expected if expected is not None else default_inference_threads())


@pytest.mark.parametrize("jobs", [1, 2])
def test_local_workers_share_the_cores_out(jobs: int) -> None:
    """Each worker of a local cluster runs its model on cores ÷ workers threads (at least one): one
    worker on this machine gets every usable core, not the one a hand-started cluster's worker gets."""
    with Engine(jobs=jobs) as engine:
        threads = [
            result for _, result, error in engine.run(_worker_threads, list(range(jobs))) if error is None
        ]
    assert threads == [default_inference_threads(processes=jobs)] * jobs


def test_the_batch_can_set_each_workers_threads() -> None:
    with Engine(jobs=1, pose_threads=3) as engine:
        assert "3 threads" in engine.description
        assert [result for _, result, _ in engine.run(_worker_threads, [0])] == [3]
    with pytest.raises(FormcheckError, match="--pose-threads 0: give 1 or more threads"):
        Engine(jobs=1, pose_threads=0)


def _worker_threads(_: int) -> int:
    return worker.pose_threads()


@pytest.mark.slow
def test_more_threads_give_the_same_landmarks_bit_for_bit() -> None:
    """Real MediaPipe on a real clip, one thread against two: every frame's landmarks identical."""
    runs = []
    for threads in (1, 2):
        estimator = _estimator(threads, check_others=False)
        source = VideoFileSource(samples_dir() / CLIP, max_side_px=MODEL_SIDE_PX)
        poses = []
        try:
            while len(poses) < 90 and (frame := source.read()) is not None:
                poses.append(estimator.estimate(frame))
        finally:
            source.close()
            estimator.close()
        runs.append(poses)
    one, two = runs
    assert len(one) == len(two) == 90
    found = [a for a in one if a.person_found]
    assert len(found) > 60  # the person is there: the comparison is of real landmarks
    for a, b in zip(one, two, strict=True):
        assert a.person_found == b.person_found
        if a.person_found:
            np.testing.assert_array_equal(a.xy_px, b.xy_px)
            np.testing.assert_array_equal(a.visibility, b.visibility)
