"""The Gmsh route, scripts/gmsh_hex_mesh.py (Gmsh models -> all-hexahedral meshes):
  sphere   the geometry route on tests/mesh/heated-sphere.geo (OpenCASCADE spheres of
           1 and 3 cm) at tetrahedron sizes 10, 7 and 5 mm, heated by the steady
           heated-sphere case (tests/verification/heated_sphere.prm with its labels and the
           boundary 'outer' from the physical tags) against the closed form (Pennes 1948):
           the L2 error falls at order >= 1.5 in the size (the flat faces approximate the
           spheres to O(h^2)), the max nodal error at 5 mm is below 6% of theta(0);
           --curvature 24 at 7 mm keeps more than half of the tumour volume the flat
           faces lose without it (the printed geometry volume is 4/3 pi R^3)
  inputs   a tetrahedral mesh in Gmsh 2.2 and 4.1 format: every tissue's volume in
           Ferrotherm equals that of its tetrahedra (computed here from the nodes) to
           1e-9 (10 printed digits), the interior physical surface is dropped, 'outer'
           is a boundary name; closed STL surfaces (a 3-cm sphere around a 1-cm and a
           4-mm sphere of one label, written here): the volumes of the nested polyhedra
           to 1e-9; remeshed at 4 and 3 mm the tumour volume approaches theirs from
           below; bad input (an open surface, crossing surfaces, a volume without a
           physical volume, a missing file) exits 1 naming the cause and writes no mesh
  gmsh_route.py CASE"""
import math
import os
import re
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferrotherm_testing import HERE, check, finish, heated_sphere_constants, read_csv, run  # noqa: E402

SCRIPT = os.path.join(HERE, "..", "scripts", "gmsh_hex_mesh.py")
GEOMETRY = os.path.join(HERE, "mesh", "heated-sphere.geo")
SPHERE_PRM = os.path.join(HERE, "verification", "heated_sphere.prm")
R, RO = 0.01, 0.03


def convert(output, *arguments, expect_success=True):
    result = subprocess.run([sys.executable, SCRIPT, output] + list(arguments), capture_output=True,
                            text=True, timeout=600)
    print(result.stdout + result.stderr)
    if expect_success and result.returncode != 0:
        sys.exit(f"FAILED: gmsh_hex_mesh.py {' '.join(arguments)}: exit {result.returncode}")
    return result


def heated_sphere(mesh, output, validate=False):
    m, a, b = heated_sphere_constants(R, RO)
    overrides = [f"Function constants=A={a!r}, B={b!r}, m={m!r}, R={R}, Ro={RO}, QW=50",
                 "Mesh/Model=gmsh", f"Mesh/Gmsh/File={os.path.abspath(mesh)}", "Mesh/Global refinements=0"]
    if validate:
        result = subprocess.run([os.environ.get("FERROTHERM", "ferrotherm"), "--validate", SPHERE_PRM]
                                + sum((["--set", o] for o in overrides), []), capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"FAILED: --validate on {mesh}\n{result.stdout}{result.stderr}")
        return result.stdout
    run(SPHERE_PRM, overrides, output=output, ranks=2)
    return 50 + a * m


def printed_volumes(text):
    """The tissue volumes [m^3] Ferrotherm printed, by tissue name."""
    line = re.search(r"Tissue volumes:(.*)", text).group(1)
    return {name: float(value) * 1e-6 for name, value in re.findall(r" (\w+) ([0-9.e+-]+) mL;", line)}


def case_sphere():
    sizes = [0.01, 0.007, 0.005]
    l2, nodal = [], []
    for size in sizes:
        mesh = f"sphere-{size}.msh"
        convert(mesh, "--model", GEOMETRY, "--size", str(size))
        theta0 = heated_sphere(mesh, f"out-sphere-{size}")
        errors = read_csv(f"out-sphere-{size}/errors.csv")
        l2.append(errors["L2_error"][-1])
        nodal.append(errors["max_nodal_error"][-1])
        print(f"size {size * 1e3:g} mm: {int(errors['n_dofs'][-1])} DoFs, L2 {l2[-1]:.4e}, "
              f"max nodal {nodal[-1]:.4e} K (theta(0) = {theta0:.4f} K)")
    order = math.log(l2[0] / l2[-1]) / math.log(sizes[0] / sizes[-1])
    check(all(e2 < e1 for e1, e2 in zip(l2, l2[1:])), "the L2 error falls with every smaller size")
    check(order >= 1.5, f"L2 order {order:.2f} in the tetrahedron size (10 -> 5 mm) >= 1.5")
    check(nodal[-1] <= 0.06 * theta0, f"max nodal error at 5 mm {nodal[-1]:.3f} K <= 6% of theta(0)")

    # --curvature: the tumour sphere meshed finer keeps more of its volume at 7 mm.
    deficits = []
    for curvature in ("0", "24"):
        printed = convert(f"sphere-curvature-{curvature}.msh", "--model", GEOMETRY, "--size", "0.007",
                          "--curvature", curvature).stdout
        volume, exact = map(float, re.search(r"label 2 \(tumour\): \d+ cells, volume (\S+) \(geometry (\S+):",
                                              printed).groups())
        check(abs(exact - 4 / 3 * math.pi * R ** 3) <= 1e-9 * exact,
              f"--curvature {curvature}: the tumour's geometry volume {exact:.6e} m^3 = 4/3 pi R^3")
        deficits.append(1 - volume / exact)
    check(deficits[1] < deficits[0] / 2,
          f"--curvature 24 at 7 mm: tumour volume {deficits[1]:.1%} below the sphere's (without: {deficits[0]:.1%})")


def tetrahedron_volumes(path):
    """Volume per physical volume of a tetrahedral .msh, from its nodes (Gmsh reads it)."""
    import gmsh
    gmsh.initialize(readConfigFiles=False)
    gmsh.option.setNumber("General.Terminal", 0)
    gmsh.open(path)
    node_tags, coordinates, _ = gmsh.model.mesh.getNodes()
    position = dict(zip(node_tags, np.reshape(coordinates, (-1, 3))))
    volumes = {}
    for dim, tag in gmsh.model.getPhysicalGroups(3):
        total = 0.0
        for entity in gmsh.model.getEntitiesForPhysicalGroup(3, tag):
            types, _, nodes = gmsh.model.mesh.getElements(3, entity)
            for element_type, element_nodes in zip(types, nodes):
                corners = np.array([position[n] for n in element_nodes]).reshape(-1, 4, 3)
                edges = corners[:, 1:] - corners[:, :1]
                total += np.sum(np.abs(np.linalg.det(edges))) / 6
        volumes[tag] = total
    gmsh.finalize()
    return volumes


def write_tetrahedra(path, version):
    import gmsh
    gmsh.initialize(readConfigFiles=False)
    gmsh.option.setNumber("General.Terminal", 0)
    gmsh.open(GEOMETRY)
    gmsh.option.setNumber("Mesh.MeshSizeMax", 0.008)
    gmsh.model.mesh.generate(3)
    gmsh.option.setNumber("Mesh.MshFileVersion", version)
    gmsh.write(path)
    gmsh.finalize()


def icosphere(radius, centre, subdivisions):
    """Triangles (n, 3, 3) of a subdivided icosahedron on a sphere."""
    t = (1 + 5 ** 0.5) / 2
    vertices = [np.array(v, float) / np.linalg.norm(v) for v in
                [(-1, t, 0), (1, t, 0), (-1, -t, 0), (1, -t, 0), (0, -1, t), (0, 1, t), (0, -1, -t), (0, 1, -t),
                 (t, 0, -1), (t, 0, 1), (-t, 0, -1), (-t, 0, 1)]]
    faces = [(0, 11, 5), (0, 5, 1), (0, 1, 7), (0, 7, 10), (0, 10, 11), (1, 5, 9), (5, 11, 4), (11, 10, 2),
             (10, 7, 6), (7, 1, 8), (3, 9, 4), (3, 4, 2), (3, 2, 6), (3, 6, 8), (3, 8, 9), (4, 9, 5), (2, 4, 11),
             (6, 2, 10), (8, 6, 7), (9, 8, 1)]
    for _ in range(subdivisions):
        middle = {}

        def mid(a, b):
            if (min(a, b), max(a, b)) not in middle:
                point = vertices[a] + vertices[b]
                vertices.append(point / np.linalg.norm(point))
                middle[min(a, b), max(a, b)] = len(vertices) - 1
            return middle[min(a, b), max(a, b)]
        faces = [f for a, b, c in faces for f in
                 ((a, mid(a, b), mid(c, a)), (b, mid(b, c), mid(a, b)), (c, mid(c, a), mid(b, c)),
                  (mid(a, b), mid(b, c), mid(c, a)))]
    return np.array([[vertices[k] * radius + centre for k in face] for face in faces])


def write_stl(path, triangles):
    with open(path, "w") as out:
        out.write("solid surface\n")
        for corners in triangles:
            normal = np.cross(corners[1] - corners[0], corners[2] - corners[0])
            out.write("facet normal %g %g %g\nouter loop\n" % tuple(normal / np.linalg.norm(normal)))
            for point in corners:
                out.write("vertex %.17g %.17g %.17g\n" % tuple(point))
            out.write("endloop\nendfacet\n")
        out.write("endsolid surface\n")


def polyhedron_volume(triangles):
    return abs(np.sum(np.einsum("ij,ij->i", triangles[:, 0], np.cross(triangles[:, 1], triangles[:, 2])))) / 6


def expect_failure(name, message, *arguments):
    if os.path.exists(name):
        os.remove(name)
    result = convert(name, *arguments, expect_success=False)
    check(result.returncode == 1 and message in result.stderr and not os.path.exists(name)
          and not os.path.exists(name + ".part"),
          f"{name}: exit 1 with '{message}', no mesh written")


def case_inputs():
    # Tetrahedral meshes of another tool, in both Gmsh formats.
    for version in (2.2, 4.1):
        tetrahedra = f"tetrahedra-{version}.msh"
        write_tetrahedra(tetrahedra, version)
        exact = tetrahedron_volumes(tetrahedra)
        result = convert(f"hexahedra-{version}.msh", "--model", tetrahedra)
        check("interface (" in result.stdout, f"format {version}: the interior surface 'interface' is dropped")
        found = printed_volumes(heated_sphere(f"hexahedra-{version}.msh", None, validate=True))
        for label, name in ((1, "tissue"), (2, "tumour")):
            error = abs(found[name] - exact[label]) / exact[label]
            check(error <= 1e-9, f"format {version}: {name} {found[name] * 1e6:.6g} mL = the volume of its "
                  f"tetrahedra {exact[label] * 1e6:.6g} mL (error {error:.1e})")
        names = open(f"hexahedra-{version}.msh").read()
        check('2 7 "outer"' in names and '"interface"' not in names,
              f"format {version}: the boundary 'outer' keeps its tag 7 and name")

    # Closed surfaces: a 3-cm sphere around a 1-cm sphere and a 4-mm sphere of one label.
    outer = icosphere(RO, np.zeros(3), 3)
    inner = icosphere(R, np.zeros(3), 2)
    small = icosphere(0.004, np.array([0.017, 0.0, 0.0]), 1)
    for path, triangles in (("outer.stl", outer), ("inner.stl", inner), ("small.stl", small)):
        write_stl(path, triangles)
    surfaces = ["--surface", "1=outer.stl", "--surface", "2=inner.stl", "--surface", "2=small.stl"]
    expected = {"tissue": polyhedron_volume(outer) - polyhedron_volume(inner) - polyhedron_volume(small),
                "tumour": polyhedron_volume(inner) + polyhedron_volume(small)}
    convert("surfaces.msh", *surfaces)
    found = printed_volumes(heated_sphere("surfaces.msh", None, validate=True))
    for name, value in expected.items():
        error = abs(found[name] - value) / value
        check(error <= 1e-9, f"surfaces: {name} {found[name] * 1e6:.6g} mL = the nested polyhedra "
              f"{value * 1e6:.6g} mL (error {error:.1e})")
    # Remeshed at 4 and 3 mm: the new surface nodes lie on the given triangles, so the
    # tumour spheres' volume approaches theirs from below as the size falls.
    tumour_errors = []
    for size in (0.004, 0.003):
        convert(f"surfaces-{size}.msh", *surfaces, "--size", str(size))
        found = printed_volumes(heated_sphere(f"surfaces-{size}.msh", None, validate=True))
        tumour_errors.append((expected["tumour"] - found["tumour"]) / expected["tumour"])
        tissue_error = abs(found["tissue"] - expected["tissue"]) / expected["tissue"]
        check(tumour_errors[-1] > 0 and tissue_error < 0.01,
              f"surfaces remeshed at {size * 1e3:g} mm: tumour {found['tumour'] * 1e6:.6g} mL below "
              f"{expected['tumour'] * 1e6:.6g} mL by {tumour_errors[-1]:.1%}, tissue within {tissue_error:.1%}")
    check(tumour_errors[1] < tumour_errors[0], "the remeshed tumour volume approaches the surfaces' with the size")

    # Bad input.
    write_stl("open.stl", inner[1:])
    expect_failure("open.msh", "open.stl: the surface is not closed (3 edges border one triangle",
                   "--surface", "1=outer.stl", "--surface", "2=open.stl")
    write_stl("crossing.stl", icosphere(R, np.array([0.025, 0.0, 0.0]), 2))
    expect_failure("crossing.msh", "the surfaces outer.stl and crossing.stl cross each other",
                   "--surface", "1=outer.stl", "--surface", "2=crossing.stl")
    with open("unlabelled.geo", "w") as out:
        out.write(open(GEOMETRY).read().replace('Physical Volume("tissue", 1) = {2};', ""))
    expect_failure("unlabelled.msh", "the volumes [2] are in no physical volume", "--model", "unlabelled.geo")
    expect_failure("missing.msh", "nowhere.geo: no such file", "--model", "nowhere.geo")


{"sphere": case_sphere, "inputs": case_inputs}[sys.argv[1]]()
finish()
