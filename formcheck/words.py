"""Plain words for the codes the checker and the reports use. The JSON report keeps the codes (testers
and tools read them); everything printed or drawn for a person says these words instead. One table for
the whole program: the terminal, the review window, the HTML/PDF reports and the CSV's readable column.

Every code has a word (a test walks every exercise file's faults and every set-up check): a new code
without one fails the tests instead of showing "feet_width" to a therapist."""

from __future__ import annotations

FAULT_WORDS = {
    # supine knee-to-chest
    "head_lift": "head lifted",
    "hips_lift": "hips lifted",
    "other_leg_lift": "other leg lifted",
    # prone trunk extension
    "legs_lift": "legs lifted",
    "pelvis_lift": "pelvis lifted",
    "neck_overextension": "neck bent back",
    # standing side bends
    "trunk_rotation": "trunk turned",
    "forward_lean": "leaning forward",
    "backward_lean": "leaning back",
    "hip_shift": "hips pushed sideways",
    "knees_bent": "knees bent",
    "feet_width": "feet too close or too wide",
    # every exercise
    "too_fast": "too fast",
}
SETUP_WORDS = {
    "no_person": "nobody in view",
    "multiple_people": "more than one person in view",
    "body_out_of_frame": "body partly out of the picture",
    "part_out_of_frame": "head or feet out of the picture",
    "wrong_view": "camera on the wrong side",
    "wrong_posture": "not in the start position",
    "picture_changed": "the picture changed (a cut or a moved camera)",
    "not_in_position": "not in this exercise's position",
}
RESULT_WORDS = {
    "good": "good",
    "short_hold": "short hold",
    "faulty": "form fault",
    "incomplete": "not reached",
}
WORDS = {**FAULT_WORDS, **SETUP_WORDS}


def word(code: str) -> str:
    """The plain words for a fault or set-up code (an unknown one, from a newer file: its code spelled
    out, never the bare code)."""
    return WORDS.get(code) or code.replace("_", " ")


def result_word(code: str) -> str:
    return RESULT_WORDS.get(code) or code.replace("_", " ")
