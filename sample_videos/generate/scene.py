"""The room, the camera and the webcam look: pyrender scene set-up, projection and post-processing.

World frame: metres, Z up, floor at z = 0. The camera is a pinhole camera; `Camera.project` uses the
same intrinsics as the renderer, so projected ground-truth joints land on the rendered pixels.
"""

from __future__ import annotations

import dataclasses
import os

os.environ.setdefault("PYOPENGL_PLATFORM", "osmesa")  # headless software rendering; set before pyrender

import cv2
import numpy as np
import pyrender
import trimesh

WIDTH, HEIGHT = 640, 480

# OSMesa leaks memory per render call; a fresh renderer every this many frames keeps it bounded.
RENDERER_FRAMES = 40


@dataclasses.dataclass
class Camera:
    """A webcam: where it is, what it looks at, its roll and vertical field of view."""

    eye: np.ndarray
    target: np.ndarray
    roll_deg: float = 0.0
    yfov_deg: float = 50.0

    def axes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(right, up, forward) unit vectors of the image in world coordinates, roll applied."""
        f = self.target - self.eye
        f = f / np.linalg.norm(f)
        r = np.cross(f, [0.0, 0.0, 1.0])
        r = r / np.linalg.norm(r)
        u = np.cross(r, f)
        a = np.radians(self.roll_deg)
        # Positive roll turns the camera clockwise, so the scene appears turned counter-clockwise.
        r, u = np.cos(a) * r + np.sin(a) * u, -np.sin(a) * r + np.cos(a) * u
        return r, u, f

    @property
    def focal_px(self) -> float:
        return (HEIGHT / 2) / np.tan(np.radians(self.yfov_deg) / 2)

    def pose_matrix(self) -> np.ndarray:
        """Camera-to-world 4x4 in OpenGL convention (the camera looks down its -Z)."""
        r, u, f = self.axes()
        m = np.eye(4)
        m[:3, 0], m[:3, 1], m[:3, 2], m[:3, 3] = r, u, -f, self.eye
        return m

    def project(self, points: np.ndarray) -> np.ndarray:
        """World points (..., 3) to pixel coordinates (..., 2), x right and y down."""
        r, u, f = self.axes()
        d = np.asarray(points) - self.eye
        z = d @ f
        x = self.focal_px * (d @ r) / z
        y = self.focal_px * (d @ u) / z
        return np.stack([WIDTH / 2 + x, HEIGHT / 2 - y], axis=-1)


@dataclasses.dataclass
class Room:
    """What surrounds the person: colours in 0..1 RGB, positions in metres."""

    wall_rgb: tuple[float, float, float] = (0.80, 0.78, 0.72)
    floor_rgb: tuple[float, float, float] = (0.55, 0.42, 0.30)
    mat_rgb: tuple[float, float, float] | None = None  # None: no mat (standing exercises)
    mat_center: tuple[float, float] = (0.0, 0.0)
    mat_size: tuple[float, float] = (1.9, 0.7)  # along world X, along world Y
    sofa: bool = True
    sofa_rgb: tuple[float, float, float] = (0.35, 0.38, 0.45)
    back_wall_y: float = 2.2  # the wall behind the person, seen by a camera looking along +Y
    side_wall_x: float = -3.0
    light: str = "left"  # where the window/lamp is: "left", "right" or "front"
    brightness: float = 1.0


def _floor_texture(rgb: tuple[float, float, float], rng: np.random.Generator) -> np.ndarray:
    """Wooden-plank floor texture: planks of slightly different shade with grain and dark seams."""
    h, w = 512, 512
    img = np.zeros((h, w, 3), dtype=np.float32)
    planks = 8
    for k in range(planks):
        shade = 1.0 + rng.normal(0, 0.07)
        grain = 1.0 + 0.05 * np.sin(np.linspace(0, rng.uniform(20, 40), w) + rng.uniform(0, 6))[None, :]
        img[k * h // planks : (k + 1) * h // planks] = np.array(rgb) * shade * grain[..., None]
        img[k * h // planks : k * h // planks + 3] *= 0.6
    img *= 1 + rng.normal(0, 0.02, (h, w, 1))
    return (np.clip(img, 0, 1) * 255).astype(np.uint8)


def _box(
    extents: tuple[float, float, float], center: tuple[float, float, float], rgb: tuple[float, float, float]
) -> pyrender.Mesh:
    mesh = trimesh.creation.box(extents=extents)
    mesh.apply_translation(center)
    material = pyrender.MetallicRoughnessMaterial(
        baseColorFactor=(*rgb, 1.0), metallicFactor=0.0, roughnessFactor=0.9
    )
    return pyrender.Mesh.from_trimesh(mesh, material=material, smooth=False)


def build_room(room: Room, seed: int) -> list[pyrender.Mesh]:
    """Static meshes of the room: textured floor, two walls, a skirting board, a sofa and a mat."""
    rng = np.random.default_rng(seed)
    meshes = []
    size = 12.0
    floor = trimesh.Trimesh(
        vertices=[[-size, -size, 0], [size, -size, 0], [size, size, 0], [-size, size, 0]],
        faces=[[0, 1, 2], [0, 2, 3]],
        process=False,
    )
    uv = np.array([[0, 0], [1, 0], [1, 1], [0, 1]]) * (2 * size / 1.6)  # one texture tile per 1.6 m
    tex = pyrender.Texture(
        source=_floor_texture(room.floor_rgb, rng),
        source_channels="RGB",
        sampler=pyrender.Sampler(wrapS=10497, wrapT=10497),
    )
    floor_material = pyrender.MetallicRoughnessMaterial(
        baseColorTexture=tex, metallicFactor=0.0, roughnessFactor=0.8
    )
    prim = pyrender.Primitive(
        positions=floor.vertices,
        indices=floor.faces,
        texcoord_0=uv,
        normals=np.tile([0.0, 0, 1], (4, 1)),
        material=floor_material,
    )
    meshes.append(pyrender.Mesh([prim]))
    meshes.append(_box((2 * size, 0.05, 2.7), (0, room.back_wall_y + 0.025, 1.35), room.wall_rgb))
    meshes.append(
        _box(
            (0.05, 2 * size, 2.7), (room.side_wall_x - 0.025, 0, 1.35), tuple(c * 0.92 for c in room.wall_rgb)
        )
    )
    # The two walls behind the usual cameras, seen only from the feet-end view.
    meshes.append(_box((0.05, 2 * size, 2.7), (4.0, 0, 1.35), tuple(c * 0.96 for c in room.wall_rgb)))
    meshes.append(_box((2 * size, 0.05, 2.7), (0, -5.0, 1.35), tuple(c * 0.96 for c in room.wall_rgb)))
    meshes.append(_box((2 * size, 2 * size, 0.05), (0, 0, 2.725), (0.93, 0.93, 0.92)))  # ceiling
    meshes.append(_box((2 * size, 0.02, 0.08), (0, room.back_wall_y - 0.01, 0.04), (0.95, 0.95, 0.93)))
    if room.sofa:
        # A sofa against the back wall, off to one side so it never sits behind the person's outline.
        x0, y0 = 2.2, room.back_wall_y - 0.45
        meshes.append(_box((2.0, 0.85, 0.42), (x0, y0, 0.21), room.sofa_rgb))
        meshes.append(_box((2.0, 0.2, 0.85), (x0, y0 + 0.33, 0.425), tuple(c * 0.9 for c in room.sofa_rgb)))
        for dx in (-0.95, 0.95):
            meshes.append(_box((0.18, 0.85, 0.6), (x0 + dx, y0, 0.3), tuple(c * 0.85 for c in room.sofa_rgb)))
        meshes.append(_box((0.5, 0.5, 0.5), (-2.2, room.back_wall_y - 0.3, 0.25), (0.45, 0.33, 0.22)))
    if room.mat_rgb is not None:
        cx, cy = room.mat_center
        meshes.append(_box((room.mat_size[0], room.mat_size[1], 0.008), (cx, cy, 0.004), room.mat_rgb))
    return meshes


def add_lights(scene: pyrender.Scene, room: Room) -> None:
    """A window-like key light from one side, a fill from the camera side and a warm ceiling lamp."""
    side = {"left": -1.0, "right": 1.0, "front": 0.0}[room.light]
    key_dir = np.array([-side * 0.8, 0.5, -0.6]) if side else np.array([0.0, 0.7, -0.6])
    scene.add(
        pyrender.DirectionalLight(color=np.ones(3), intensity=2.6 * room.brightness),
        pose=_look_along(key_dir),
    )
    scene.add(
        pyrender.DirectionalLight(color=np.array([0.9, 0.92, 1.0]), intensity=1.0 * room.brightness),
        pose=_look_along(np.array([0.2, 1.0, -0.35])),
    )
    lamp = pyrender.PointLight(color=np.array([1.0, 0.9, 0.75]), intensity=9.0 * room.brightness)
    lamp_pose = np.eye(4)
    lamp_pose[:3, 3] = [side * 1.8 if side else 1.0, 0.5, 2.4]
    scene.add(lamp, pose=lamp_pose)


def _look_along(d: np.ndarray) -> np.ndarray:
    """Pose of a directional light shining along d (pyrender lights shine down their -Z)."""
    d = d / np.linalg.norm(d)
    up = np.array([0.0, 0.0, 1.0]) if abs(d[2]) < 0.95 else np.array([0.0, 1.0, 0.0])
    x = np.cross(up, -d)
    x /= np.linalg.norm(x)
    y = np.cross(-d, x)
    m = np.eye(4)
    m[:3, 0], m[:3, 1], m[:3, 2] = x, y, -d
    return m


class Renderer:
    """Renders one clip: a fixed room and camera, with posed bodies replaced every frame."""

    def __init__(self, room: Room, camera: Camera, seed: int) -> None:
        self.scene = pyrender.Scene(
            ambient_light=np.array([0.28, 0.27, 0.26]) * room.brightness,
            bg_color=np.array([0.0, 0.0, 0.0, 1.0]),
        )
        for mesh in build_room(room, seed):
            self.scene.add(mesh)
        add_lights(self.scene, room)
        self.scene.add(
            pyrender.PerspectiveCamera(yfov=np.radians(camera.yfov_deg)), pose=camera.pose_matrix()
        )
        self._body_nodes: list[pyrender.Node] = []
        self._renderer: pyrender.OffscreenRenderer | None = None
        self._frames = 0

    def render(self, bodies: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> np.ndarray:
        """RGB uint8 frame of the room with the given (vertices, faces, vertex RGB 0..1) bodies."""
        for node in self._body_nodes:
            self.scene.remove_node(node)
        self._body_nodes = []
        for vertices, faces, colors in bodies:
            mesh = trimesh.Trimesh(vertices=vertices, faces=faces, vertex_colors=colors, process=False)
            self._body_nodes.append(self.scene.add(pyrender.Mesh.from_trimesh(mesh, smooth=True)))
        if self._renderer is None or self._frames >= RENDERER_FRAMES:
            if self._renderer is not None:
                self._renderer.delete()
            self._renderer = pyrender.OffscreenRenderer(WIDTH, HEIGHT)
            self._frames = 0
        self._frames += 1
        color, _ = self._renderer.render(self.scene)
        return np.ascontiguousarray(color[:, :, :3])

    def render_mask(self, bodies: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> np.ndarray:
        """Boolean (H, W) mask of the pixels covered by the bodies (depth test against the room)."""
        for node in self._body_nodes:
            self.scene.remove_node(node)
        self._body_nodes = []
        if self._renderer is None:
            self._renderer = pyrender.OffscreenRenderer(WIDTH, HEIGHT)
        _, room_depth = self._renderer.render(self.scene)
        for vertices, faces, colors in bodies:
            mesh = trimesh.Trimesh(vertices=vertices, faces=faces, vertex_colors=colors, process=False)
            self._body_nodes.append(self.scene.add(pyrender.Mesh.from_trimesh(mesh, smooth=True)))
        _, depth = self._renderer.render(self.scene)
        return (depth > 0) & ((room_depth == 0) | (depth < room_depth - 1e-4))

    def close(self) -> None:
        if self._renderer is not None:
            self._renderer.delete()
            self._renderer = None


class Webcam:
    """Turns a clean render into a webcam frame: uneven exposure, soft focus, colour cast and noise."""

    def __init__(
        self,
        seed: int,
        noise: float = 3.0,
        blur_sigma: float = 0.8,
        vignette: float = 0.35,
        light_side: str = "left",
    ) -> None:
        self.rng = np.random.default_rng(seed)
        self.noise = noise
        self.blur_sigma = blur_sigma
        yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
        r2 = ((xx - WIDTH / 2) / (WIDTH / 2)) ** 2 + ((yy - HEIGHT / 2) / (HEIGHT / 2)) ** 2
        side = {"left": -1.0, "right": 1.0, "front": 0.0}[light_side]
        # Cheap lens falloff plus a brightness gradient toward the window side.
        gain = (1 - vignette * r2 / 2) * (1 + 0.12 * side * (xx - WIDTH / 2) / (WIDTH / 2))
        self.gain = gain[..., None] * np.array([1.03, 1.0, 0.94], dtype=np.float32)  # warm white balance

    def __call__(self, rgb: np.ndarray) -> np.ndarray:
        img = rgb.astype(np.float32) * self.gain
        if self.blur_sigma > 0:
            img = cv2.GaussianBlur(img, (0, 0), self.blur_sigma)
        # Sensor noise: mostly luminance, stronger in the dark, like a small webcam sensor.
        luma_noise = self.rng.normal(0, self.noise, (HEIGHT, WIDTH, 1)).astype(np.float32)
        chroma_noise = self.rng.normal(0, self.noise * 0.35, (HEIGHT, WIDTH, 3)).astype(np.float32)
        dark = 1.3 - img.mean(axis=2, keepdims=True) / 255
        img = img + (luma_noise + chroma_noise) * dark
        return np.clip(img, 0, 255).astype(np.uint8)
