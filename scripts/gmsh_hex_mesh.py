#!/usr/bin/python3
"""Converts Gmsh models into the all-hexahedral tissue meshes of `Mesh/Model = gmsh`
(Debian python3-gmsh, python3-numpy).

  scripts/gmsh_hex_mesh.py OUTPUT.msh --model FILE [--size H] [--scale S]
  scripts/gmsh_hex_mesh.py OUTPUT.msh --surface LABEL=FILE [--surface ...] [--size H]
                           [--scale S] [--boundary-name NAME]

Inputs:
  --model FILE    a geometry Gmsh reads (.geo, .step, .brep, ...), meshed with tetrahedra
                  of size H first, or a volume mesh (.msh, .mesh, .vtk, ...; tetrahedra,
                  prisms or hexahedra). Physical volumes are the tissue labels (their tags);
                  a model without physical volumes takes the elementary volume tags.
                  Physical surfaces on the outer boundary become named boundaries;
                  physical surfaces inside the volume (tissue interfaces) are dropped with
                  a note, as a boundary id names an outer face only.
  --surface LABEL=FILE
                  closed triangulated surfaces (STL, PLY, surface .msh, ...), one per
                  tissue, nested or side by side (a segmentation exported as surfaces):
                  the tissue LABEL fills the inside of its surface less the surfaces inside
                  it. The outermost surfaces form the boundary named NAME (default outer).
                  The triangles are kept as they are unless --size is given, which remeshes
                  the surfaces at H (Gmsh's reparametrisation of discrete surfaces).
  --size H        largest tetrahedron edge before the split, in the input's unit.
  --curvature N   at least N tetrahedra per 2 pi radians of a curved geometry surface
                  (Gmsh's Mesh.MeshSizeFromCurvature), so that a small curved tissue
                  keeps its volume; the flat faces of the hexahedra lose volume on convex
                  surfaces (printed against the geometry's volume for OpenCASCADE models).
  --scale S       factor of the coordinates (the mesh keeps the input's unit otherwise;
                  Mesh/Gmsh/Length scale can scale it instead).

Method: the tetrahedral mesh is split by Gmsh (Geuzaine & Remacle 2009, Int. J. Numer.
Meth. Eng. 79:1309) at one uniform refinement with Mesh.SubdivisionAlgorithm = 2: every
tetrahedron into four hexahedra (corners, edge midpoints, face centroids and the centroid,
so flat-faced cells keep the tetrahedra's volume exactly), every prism into six and every
hexahedron into eight. The hexahedra are checked (positive Jacobian determinant at every
corner; a mirrored cell is reordered) and written as ASCII Gmsh 2.2 with only the nodes
they use: physical volumes = tissue labels, boundary quadrilaterals in physical surfaces
with their $PhysicalNames. Every hexahedron becomes a coarse cell (a p4est tree) of the
distributed mesh, so keep the tetrahedral mesh coarse and refine in Ferrotherm
(Mesh/Global refinements, Target refinements). The file is written to a temporary name and
renamed, so a failed conversion leaves no output. Printed: the cells and volume per label,
the boundary faces per name, and the smallest scaled Jacobian.
Errors (exit 1): unreadable input, an open or self-crossing set of surfaces, elements
other than hexahedra after the split, a volume without a label while others have one."""
import argparse
import math
import os
import sys

import numpy as np

try:
    import gmsh
except ImportError:
    sys.exit("scripts/gmsh_hex_mesh.py: needs Gmsh's Python module (Debian python3-gmsh; "
             "scripts/setup installs it)")

HEXAHEDRON, QUADRANGLE, TRIANGLE = 5, 3, 2
# Gmsh's hexahedron: corners 0-3 counter-clockwise at the bottom, 4-7 above them.
HEX_FACES = np.array([[0, 3, 2, 1], [4, 5, 6, 7], [0, 1, 5, 4],
                      [1, 2, 6, 5], [2, 3, 7, 6], [3, 0, 4, 7]])
# The three corners next to each corner, ordered so that a right-handed cell has a
# positive determinant.
CORNER_NEIGHBOURS = np.array([[1, 3, 4], [2, 0, 5], [3, 1, 6], [0, 2, 7],
                              [7, 5, 0], [4, 6, 1], [5, 7, 2], [6, 4, 3]])


class ConversionError(Exception):
    pass


def main():
    parser = argparse.ArgumentParser(
        description="Gmsh models -> all-hexahedral Ferrotherm meshes (Mesh/Model = gmsh)")
    parser.add_argument("output", help="the hexahedral mesh to write (.msh, ASCII 2.2)")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--model", help="geometry or volume mesh Gmsh reads")
    source.add_argument("--surface", action="append", metavar="LABEL=FILE",
                        help="a closed surface and the tissue label inside it")
    parser.add_argument("--size", type=float, help="largest tetrahedron edge")
    parser.add_argument("--curvature", type=int, default=0,
                        help="tetrahedra per 2 pi radians of a curved geometry surface")
    parser.add_argument("--scale", type=float, default=1.0, help="coordinate factor")
    parser.add_argument("--boundary-name", default="outer",
                        help="name of the outermost surfaces (surface input)")
    arguments = parser.parse_args()
    if arguments.size is not None and not arguments.size > 0:
        fail("--size: expected a positive length, found %g" % arguments.size)
    if arguments.curvature < 0:
        fail("--curvature: expected a non-negative number of elements, found "
             f"{arguments.curvature}")
    if not (arguments.scale > 0 and math.isfinite(arguments.scale)):
        fail("--scale: expected a positive factor, found %g" % arguments.scale)

    gmsh.initialize(readConfigFiles=False)
    gmsh.option.setNumber("General.Terminal", 0)
    gmsh.option.setNumber("Mesh.MeshSizeFromCurvature", arguments.curvature)
    try:
        if arguments.model:
            exact_volumes = load_model(arguments.model, arguments.size)
            outer_surfaces = None
        else:
            outer_surfaces = load_surfaces(parse_surfaces(arguments.surface),
                                           arguments.size)
            exact_volumes = {}
        mesh = split_into_hexahedra(outer_surfaces, arguments.boundary_name, exact_volumes)
    except ConversionError as error:
        gmsh.finalize()
        fail(str(error))
    gmsh.finalize()
    mesh["nodes"] *= arguments.scale
    mesh["exact_volumes"] = {label: volume * arguments.scale ** 3
                             for label, volume in mesh["exact_volumes"].items()}
    try:
        write_msh(arguments.output, mesh)
    except OSError as error:
        fail(f"{arguments.output}: cannot write the mesh ({error.strerror})")
    report(arguments.output, mesh)


def fail(message):
    print("scripts/gmsh_hex_mesh.py: error: " + message, file=sys.stderr)
    sys.exit(1)


def open_in_gmsh(path, merge):
    if not os.path.isfile(path):
        raise ConversionError(f"{path}: no such file")
    try:
        (gmsh.merge if merge else gmsh.open)(path)
    except Exception as error:  # Gmsh raises plain Exceptions with its last error
        raise ConversionError(f"{path}: Gmsh cannot read it ({error})")


def load_model(path, size):
    """Opens a geometry or volume mesh; meshes it with tetrahedra if it has no 3D
    elements. Returns the exact volume of each volume entity of an OpenCASCADE geometry
    (by tag; empty for other models), to compare with the mesh."""
    open_in_gmsh(path, merge=False)
    if not gmsh.model.getEntities(3):
        raise ConversionError(f"{path}: the model has no volumes")
    if any(len(tags) for entity in gmsh.model.getEntities(3)
           for tags in gmsh.model.mesh.getElements(3, entity[1])[1]):
        return {}
    exact = {}
    for dim, tag in gmsh.model.getEntities(3):
        try:
            exact[tag] = gmsh.model.occ.getMass(3, tag)
        except Exception:  # not an OpenCASCADE entity
            exact = {}
            break
    if size is not None:
        gmsh.option.setNumber("Mesh.MeshSizeMax", size)
    generate_volume_mesh(path)
    return exact


def generate_volume_mesh(what):
    try:
        gmsh.model.mesh.generate(3)
    except Exception as error:
        raise ConversionError(f"{what}: Gmsh cannot mesh the volumes ({error})")


def parse_surfaces(specifications):
    surfaces = []
    for text in specifications:
        label, separator, path = text.partition("=")
        if not separator or not label.strip().isdigit() or not path.strip():
            fail(f"--surface {text}: expected LABEL=FILE with a non-negative integer "
                 "label")
        surfaces.append((int(label), path.strip()))
    return surfaces


def load_surfaces(surfaces, size):
    """Merges the closed surfaces, nests them (winding numbers), remeshes them at size if
    given, and meshes the volume between each surface and those directly inside it with
    tetrahedra in the physical volume of its label (named by the file's stem). Returns
    the tags of the outermost surfaces."""
    entities, triangles = [], []
    for label, path in surfaces:
        before = set(gmsh.model.getEntities(2))
        open_in_gmsh(path, merge=True)
        added = sorted(tag for dim, tag in set(gmsh.model.getEntities(2)) - before)
        if not added:
            raise ConversionError(f"{path}: no surface triangles")
        entities.append(added)
        triangles.append(surface_triangles(added, path))
        check_closed(triangles[-1], path)
    parents = nest(surfaces, triangles)

    if size is not None:
        entities = remesh_surfaces(entities)
        gmsh.option.setNumber("Mesh.MeshSizeMax", size)
    loops = [gmsh.model.geo.addSurfaceLoop(tags) for tags in entities]
    volumes, names = {}, {}
    for k, (label, path) in enumerate(surfaces):
        holes = [loops[child] for child in range(len(surfaces)) if parents[child] == k]
        volumes.setdefault(label, []).append(gmsh.model.geo.addVolume([loops[k]] + holes))
        names.setdefault(label, os.path.splitext(os.path.basename(path))[0])
    gmsh.model.geo.synchronize()
    for label, tags in volumes.items():
        gmsh.model.addPhysicalGroup(3, tags, label)
        gmsh.model.setPhysicalName(3, label, names[label])
    generate_volume_mesh("the surfaces " + ", ".join(path for label, path in surfaces))
    return [tag for k, tags in enumerate(entities) if parents[k] is None for tag in tags]


def surface_triangles(entity_tags, path):
    """The triangles of the given discrete surfaces as an (n, 3, 3) array of corners."""
    corners = []
    for tag in entity_tags:
        node_tags, coordinates, _ = gmsh.model.mesh.getNodes(2, tag, True)
        position = dict(zip(node_tags, np.reshape(coordinates, (-1, 3))))
        types, _, nodes = gmsh.model.mesh.getElements(2, tag)
        for element_type, element_nodes in zip(types, nodes):
            if element_type != TRIANGLE:
                raise ConversionError(f"{path}: surface elements other than triangles")
            corners.extend(np.array([position[n] for n in element_nodes]).reshape(-1, 3, 3))
    return np.array(corners)


def check_closed(triangles, path):
    """Every edge of a closed surface borders exactly two triangles (by coordinates, as
    STL repeats its vertices)."""
    keys = {}
    points = np.round(triangles.reshape(-1, 3), 12)
    for point in map(tuple, points):
        keys.setdefault(point, len(keys))
    index = np.array([keys[tuple(p)] for p in points]).reshape(-1, 3)
    edges = np.sort(np.concatenate([index[:, [0, 1]], index[:, [1, 2]], index[:, [2, 0]]]),
                    axis=1)
    _, counts = np.unique(edges, axis=0, return_counts=True)
    if np.any(counts != 2):
        raise ConversionError(
            f"{path}: the surface is not closed ({np.sum(counts == 1)} edges border one "
            f"triangle, {np.sum(counts > 2)} more than two); close it in the segmentation "
            "tool or mesh repair")


def winding_numbers(points, triangles):
    """Generalised winding number of a closed triangulated surface at points (Jacobson
    et al. 2013): the sum of the solid angles of the triangles over 4 pi (Van Oosterom &
    Strackee 1983), +-1 inside and 0 outside whatever the orientation."""
    result = np.empty(len(points))
    chunk = max(1, 2000000 // len(triangles))  # points per pass: arrays of ~50 MB
    for start in range(0, len(points), chunk):
        p = points[start:start + chunk, None, None, :]
        a, b, c = (triangles[None, :, k, :] - p[:, :, 0, :] for k in range(3))
        la, lb, lc = (np.linalg.norm(v, axis=2) for v in (a, b, c))
        numerator = np.einsum("ijk,ijk->ij", a, np.cross(b, c))
        denominator = (la * lb * lc + np.einsum("ijk,ijk->ij", a, b) * lc
                       + np.einsum("ijk,ijk->ij", b, c) * la
                       + np.einsum("ijk,ijk->ij", c, a) * lb)
        result[start:start + chunk] = np.abs(
            np.sum(2 * np.arctan2(numerator, denominator), axis=1) / (4 * math.pi))
    return result


def enclosed_volume(triangles):
    return abs(np.sum(np.einsum("ij,ij->i", triangles[:, 0],
                                np.cross(triangles[:, 1], triangles[:, 2])))) / 6


def nest(surfaces, triangles):
    """parents[k]: the smallest surface around surface k, or None. Each surface lies
    wholly inside or outside every other (tested at up to 200 of its vertices)."""
    volumes = [enclosed_volume(t) for t in triangles]
    inside = {}
    for k, tk in enumerate(triangles):
        vertices = np.unique(tk.reshape(-1, 3), axis=0)
        sample = vertices[np.linspace(0, len(vertices) - 1, min(200, len(vertices))).astype(int)]
        for m, tm in enumerate(triangles):
            if m == k:
                continue
            w = winding_numbers(sample, tm)
            if np.all(w > 0.5):
                inside[k, m] = True
            elif np.all(w < 0.5):
                inside[k, m] = False
            else:
                raise ConversionError(f"the surfaces {surfaces[k][1]} and {surfaces[m][1]} "
                                      "cross each other")
    parents = []
    for k in range(len(surfaces)):
        around = [m for m in range(len(surfaces)) if m != k and inside[k, m]]
        parents.append(min(around, key=lambda m: volumes[m]) if around else None)
    return parents


def remesh_surfaces(entities):
    """Reparametrises the discrete surfaces (Gmsh's classifySurfaces + createGeometry) so
    that they are meshed anew; returns the new surface tags of each input surface."""
    owner = {}
    for k, tags in enumerate(entities):
        for tag in tags:
            node_tags, coordinates, _ = gmsh.model.mesh.getNodes(2, tag, True)
            for point in np.round(np.reshape(coordinates, (-1, 3)), 12):
                owner[tuple(point)] = k
    try:
        gmsh.model.mesh.classifySurfaces(40 * math.pi / 180, True, True, math.pi)
        gmsh.model.mesh.createGeometry()
    except Exception as error:
        raise ConversionError(f"the surfaces cannot be reparametrised for --size ({error})")
    patches = [[] for _ in entities]
    for dim, tag in gmsh.model.getEntities(2):
        _, coordinates, _ = gmsh.model.mesh.getNodes(2, tag, True)
        points = np.round(np.reshape(coordinates, (-1, 3)), 12)
        if len(points) == 0 or tuple(points[0]) not in owner:
            raise ConversionError("Gmsh's reparametrisation moved the surface nodes; "
                                  "convert without --size (keeping the triangles)")
        patches[owner[tuple(points[0])]].append(tag)
    return patches


def split_into_hexahedra(outer_surfaces, outer_name, exact_volumes):
    """Splits the volume mesh into hexahedra and collects nodes, cells, labels and the
    boundary faces of the physical surfaces (or of the outer surfaces, named
    outer_name); the exact volumes of the entities are summed per label."""
    volume_names = {tag: gmsh.model.getPhysicalName(3, tag)
                    for dim, tag in gmsh.model.getPhysicalGroups(3)}
    labelled = {tag: list(gmsh.model.getEntitiesForPhysicalGroup(3, tag))
                for tag in volume_names}
    label_of = {}
    for label, volumes in labelled.items():
        for volume in volumes:
            if volume in label_of:
                raise ConversionError(f"volume {volume} is in the physical volumes "
                                      f"{label_of[volume]} and {label}: one label each")
            label_of[volume] = label
    all_volumes = [tag for dim, tag in gmsh.model.getEntities(3)]
    if not labelled:
        print("note: the model has no physical volumes; the elementary volume tags "
              f"{all_volumes} are the labels")
        label_of = {tag: tag for tag in all_volumes}
    unlabelled = [tag for tag in all_volumes if tag not in label_of]
    if unlabelled:
        raise ConversionError(f"the volumes {unlabelled} are in no physical volume; give "
                              "every volume a physical volume (its tissue label)")

    # Physical surfaces by tag: (name, surface entities).
    if outer_surfaces is None:
        surface_groups = {tag: (gmsh.model.getPhysicalName(2, tag) or str(tag),
                                list(gmsh.model.getEntitiesForPhysicalGroup(2, tag)))
                          for dim, tag in gmsh.model.getPhysicalGroups(2)}
    else:
        surface_groups = {1: (outer_name, outer_surfaces)}

    gmsh.option.setNumber("Mesh.SubdivisionAlgorithm", 2)
    gmsh.option.setNumber("Mesh.SecondOrderLinear", 1)
    try:
        gmsh.model.mesh.refine()
    except Exception as error:
        raise ConversionError(f"Gmsh cannot split the mesh into hexahedra ({error})")

    node_tags, coordinates, _ = gmsh.model.mesh.getNodes()
    position = {tag: k for k, tag in enumerate(node_tags)}
    coordinates = np.reshape(coordinates, (-1, 3))
    cells, labels = [], []
    for volume in all_volumes:
        types, _, nodes = gmsh.model.mesh.getElements(3, volume)
        for element_type, element_nodes in zip(types, nodes):
            if element_type != HEXAHEDRON:
                name = gmsh.model.mesh.getElementProperties(element_type)[0]
                raise ConversionError(f"volume {volume} holds {name} elements after the "
                                      "split; only tetrahedra, prisms and hexahedra split "
                                      "into hexahedra")
            cells.append(np.reshape(element_nodes, (-1, 8)))
            labels.append(np.full(len(cells[-1]), label_of[volume]))
    if not cells:
        raise ConversionError("the volumes hold no elements after the split")
    cells = np.vectorize(position.get)(np.concatenate(cells))
    labels = np.concatenate(labels)
    corners = coordinates[cells]
    determinants = corner_determinants(corners)
    mirrored = np.all(determinants < 0, axis=1)
    cells[mirrored] = cells[mirrored][:, [4, 5, 6, 7, 0, 1, 2, 3]]
    determinants[mirrored] *= -1
    if np.any(determinants <= 0):
        bad = int(np.argmax(np.any(determinants <= 0, axis=1)))
        raise ConversionError(f"{np.sum(np.any(determinants <= 0, axis=1))} hexahedra are "
                              f"inverted or degenerate (first: corners "
                              f"{coordinates[cells[bad]].tolist()}); improve the tetrahedra")

    face_count = {}
    for face in np.sort(cells[:, HEX_FACES].reshape(-1, 4), axis=1):
        key = tuple(face)
        face_count[key] = face_count.get(key, 0) + 1
    boundary_faces, dropped = {}, []
    kept_groups = {}
    for tag, (name, surfaces) in surface_groups.items():
        kept = interior = 0
        for surface in surfaces:
            types, _, nodes = gmsh.model.mesh.getElements(2, surface)
            for element_type, element_nodes in zip(types, nodes):
                if element_type != QUADRANGLE:
                    continue
                for quad in np.reshape(element_nodes, (-1, 4)):
                    quad = [position[n] for n in quad]
                    key = tuple(sorted(quad))
                    if face_count.get(key) == 1:
                        if key in boundary_faces and boundary_faces[key][0] != tag:
                            raise ConversionError(f"a boundary face is in two physical "
                                                  f"surfaces ({name} and another)")
                        boundary_faces[key] = (tag, quad)
                        kept += 1
                    else:
                        interior += 1
        if interior:
            dropped.append(f"{name} ({interior} interior faces)")
        if kept:
            kept_groups[tag] = name
    if dropped:
        print("note: physical surfaces inside the volume are not boundaries and were "
              "dropped: " + ", ".join(dropped))
    label_volumes = {}
    for volume, value in exact_volumes.items():
        label_volumes[label_of[volume]] = label_volumes.get(label_of[volume], 0) + value
    return {"nodes": coordinates, "cells": cells, "labels": labels,
            "exact_volumes": label_volumes,
            "faces": list(boundary_faces.values()), "determinants": determinants,
            "volume_names": volume_names,
            "surface_names": kept_groups}


def corner_determinants(corners):
    """Determinant of the Jacobian of the trilinear map at the 8 corners of each cell."""
    edges = corners[:, CORNER_NEIGHBOURS, :] - corners[:, :, None, :]
    return np.einsum("ijk,ijk->ij", edges[:, :, 0], np.cross(edges[:, :, 1], edges[:, :, 2]))


def hexahedron_volumes(corners):
    """Exact volumes of trilinear hexahedra: det J is at most quadratic in each reference
    coordinate, so 2x2x2 Gauss points integrate it exactly."""
    g = 0.5 - 0.5 / math.sqrt(3)
    volumes = np.zeros(len(corners))
    reference = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0],
                          [0, 0, 1], [1, 0, 1], [1, 1, 1], [0, 1, 1]], dtype=float)
    for point in [(x, y, z) for x in (g, 1 - g) for y in (g, 1 - g) for z in (g, 1 - g)]:
        gradients = np.empty((8, 3))
        for v, corner in enumerate(reference):
            factors = [point[d] if corner[d] else 1 - point[d] for d in range(3)]
            for d in range(3):
                sign = 1 if corner[d] else -1
                gradients[v, d] = sign * np.prod([factors[e] for e in range(3) if e != d])
        jacobians = np.einsum("ivk,vd->ikd", corners, gradients)
        volumes += np.linalg.det(jacobians) / 8
    return volumes


def scaled_jacobians(corners, determinants):
    edges = corners[:, CORNER_NEIGHBOURS, :] - corners[:, :, None, :]
    lengths = np.prod(np.linalg.norm(edges, axis=3), axis=2)
    return np.min(determinants / lengths, axis=1)


def write_msh(path, mesh):
    used = np.unique(np.concatenate([mesh["cells"].ravel()] +
                                    [np.array(quad) for tag, quad in mesh["faces"]]))
    number = np.zeros(len(mesh["nodes"]), dtype=int)
    number[used] = np.arange(1, len(used) + 1)
    temporary = path + ".part"
    try:
        with open(temporary, "w") as out:
            out.write("$MeshFormat\n2.2 0 8\n$EndMeshFormat\n$PhysicalNames\n")
            names = [(2, tag, name) for tag, name in mesh["surface_names"].items()]
            names += [(3, tag, name) for tag, name in mesh["volume_names"].items() if name]
            out.write(f"{len(names)}\n")
            for dim, tag, name in names:
                out.write(f'{dim} {tag} "{name}"\n')
            out.write(f"$EndPhysicalNames\n$Nodes\n{len(used)}\n")
            for k, point in zip(number[used], mesh["nodes"][used]):
                out.write(f"{k} {point[0]:.17g} {point[1]:.17g} {point[2]:.17g}\n")
            out.write(f"$EndNodes\n$Elements\n{len(mesh['faces']) + len(mesh['cells'])}\n")
            element = 0
            for tag, quad in mesh["faces"]:
                element += 1
                out.write(f"{element} {QUADRANGLE} 2 {tag} {tag} "
                          + " ".join(str(number[n]) for n in quad) + "\n")
            for label, cell in zip(mesh["labels"], mesh["cells"]):
                element += 1
                out.write(f"{element} {HEXAHEDRON} 2 {label} {label} "
                          + " ".join(str(number[n]) for n in cell) + "\n")
            out.write("$EndElements\n")
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise
    os.replace(temporary, path)


def report(path, mesh):
    corners = mesh["nodes"][mesh["cells"]]
    volumes = hexahedron_volumes(corners)
    print(f"{path}: {len(mesh['cells'])} hexahedra (coarse cells of the Ferrotherm mesh)")
    for label in np.unique(mesh["labels"]):
        name = mesh["volume_names"].get(label, "")
        selected = mesh["labels"] == label
        volume = np.sum(volumes[selected])
        exact = mesh["exact_volumes"].get(label)
        print(f"  label {label}{' (' + name + ')' if name else ''}: "
              f"{np.sum(selected)} cells, volume {volume:.10g}"
              + (f" (geometry {exact:.10g}: {100 * (volume / exact - 1):+.2f}%)" if exact else ""))
    for tag, name in mesh["surface_names"].items():
        count = sum(1 for t, quad in mesh["faces"] if t == tag)
        print(f"  boundary '{name}' (id {tag}): {count} faces")
    quality = scaled_jacobians(corners, mesh["determinants"])
    print(f"  smallest scaled Jacobian {np.min(quality):.3f} "
          f"(cells below 0.2: {np.sum(quality < 0.2)})")


if __name__ == "__main__":
    main()
