"""Set-up checks: is the right person seen whole, from the right side, in the right posture?

Each check returns the problems in this frame with a sentence that tells the person what to do.
The checker debounces them; while any is active nothing counts.
"""

from __future__ import annotations

import math

import numpy as np

from formcheck import landmarks as lm
from formcheck.measurements import shoulder_mid, torso_vector
from formcheck.pose_frame import PoseFrame
from formcheck.spec import ExerciseConfig, ExerciseSpec

MESSAGES = {
    "no_person": "I can't see anyone. {camera}",
    "multiple_people": "I can see more than one person: only the person exercising should be in view.",
    "wrong_view_side": "I need to see you from the side. {camera}",
    "wrong_view_front": "Face the camera, so it sees you from the front. {camera}",
    "wrong_posture_lying": "Lie down on the floor to start.",
    "wrong_posture_standing": "Stand up to start.",
    "picture_changed": (
        "The picture changed (a cut, or the camera moved): I'll measure again once you are back in "
        "the start position and keep still for a moment."
    ),
}

# Set-up notices that do not stop counting: the person is told, the checks that need the part pause.
PARTIAL_VIEW = "part_out_of_frame"
NOTICES = frozenset({PARTIAL_VIEW})


def camera_advice(spec: ExerciseSpec) -> str:
    """Where the camera goes, naming the exercise (it may have been recognised, not chosen):
    "For supine knee-to-chest, put the camera at floor level ..."."""
    text = spec.camera.strip()
    if not text:
        return ""
    return f"For {spec.title[0].lower()}{spec.title[1:]}, {text[0].lower()}{text[1:]}"


def missing_parts(
    pose: PoseFrame, config: ExerciseConfig, vis: float, parts: tuple[str, ...] | None = None
) -> list[str]:
    """Body parts (the required ones by default) that are not seen: in a side view one side of a pair
    is enough."""
    need_all = config.spec.view == "front"
    missing = []
    for part in config.spec.required_parts if parts is None else parts:
        seen = [pose.in_picture(i, vis) for i in lm.BODY_PARTS[part]]
        ok = all(seen) if need_all and part != "head" else any(seen)
        if not ok:
            missing.append(part)
    return missing


def out_of_frame_message(parts: list[str]) -> str:
    names = " and ".join(parts) if len(parts) <= 2 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"I can't see your {names}: move the camera back so your whole body is in the picture."


def partial_view_message(parts: list[str], config: ExerciseConfig) -> str:
    """Some checked parts are out of view: counting goes on; say which checks are off."""
    names = " and ".join(parts)
    off = [f.label for f in config.faults if set(f.needs) & set(parts)]
    if off:
        checks = ", ".join(off)
        return (
            f"I can't see your {names}, so I can't check {checks}; counting goes on. "
            "Move the camera back to see your whole body."
        )
    return f"I can't see your {names}: move the camera back so your whole body is in the picture."


def view_ratio(pose: PoseFrame, vis: float) -> float:
    """Shoulder width against torso length: small from the side, large from the front (or the feet)."""
    ls, rs = pose.point(lm.LEFT_SHOULDER, vis), pose.point(lm.RIGHT_SHOULDER, vis)
    torso = torso_vector(pose, vis)
    if ls is None or rs is None or torso is None:
        return math.nan
    length = float(np.hypot(*torso))
    return float(np.hypot(*(ls - rs))) / length if length > 0 else math.inf


def torso_from_vertical_deg(pose: PoseFrame, vis: float) -> float:
    torso = torso_vector(pose, vis)
    if torso is None or shoulder_mid(pose, vis) is None:
        return math.nan
    return math.degrees(math.atan2(abs(torso[0]), -torso[1]))


def frame_problems(
    pose: PoseFrame, config: ExerciseConfig, at_rest: bool, counting: bool = False
) -> tuple[dict[str, str], set[str]]:
    """This frame's set-up problems (code -> sentence), and the checked parts out of view (the form
    checks that need them pause). The posture is judged only at rest (a press-up top is still lying
    prone); the view at rest and, once counting has begun, on every frame."""
    vis = config.params["visibility_min"]
    if not pose.person_found:
        problems = {"no_person": MESSAGES["no_person"].format(camera=camera_advice(config.spec))}
        if pose.other_people:
            problems["multiple_people"] = MESSAGES["multiple_people"]
        return problems, set()
    problems = {}
    if pose.other_people:
        problems["multiple_people"] = MESSAGES["multiple_people"]
    missing = missing_parts(pose, config, vis)
    if missing:
        problems["body_out_of_frame"] = out_of_frame_message(missing)
    partial = missing_parts(pose, config, vis, config.spec.checked_parts)
    if partial:
        problems[PARTIAL_VIEW] = partial_view_message(partial, config)
    # A camera turned (or carried round) mid-rep makes every angle after it wrong: once counting has
    # begun the view is judged on every frame, and counting pauses until it is right again. Before,
    # only at rest: someone walking in or lying down crosses every view on the way.
    ratio = view_ratio(pose, vis) if at_rest or counting else math.nan
    spec = config.spec
    if not math.isnan(ratio) and (ratio >= config.params["view_ratio"]) != (spec.view == "front"):
        problems["wrong_view"] = MESSAGES[f"wrong_view_{spec.view}"].format(camera=camera_advice(spec))
    if at_rest:
        tilt = torso_from_vertical_deg(pose, vis)
        # From the wrong side the posture cannot be judged (a body lying toward the camera looks upright).
        if not math.isnan(tilt) and "wrong_view" not in problems:
            standing = tilt < 45.0 or tilt > 135.0
            if standing != (spec.posture == "standing"):
                problems["wrong_posture"] = MESSAGES[f"wrong_posture_{spec.posture}"]
    return problems, set(partial)
