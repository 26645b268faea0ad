# Tests of tests/mesh (included from tests/CMakeLists.txt): the validating pass over
# Gmsh files (gmsh_file_check), the geometric check of the coarse cells (mesh_check) and
# tissue/boundary tags of any value. Bad meshes must fail on 2 ranks with a message that
# names the file, the line or the cell (expect_error.py, 60 s limit: no hang).
set(MESH ${CMAKE_CURRENT_SOURCE_DIR}/mesh)
set(GMSH_CASE ${CMAKE_CURRENT_SOURCE_DIR}/verification/gmsh_two_blocks.prm)
function(mesh_error_test name regex)
  expect_error_test(mesh/${name} ${regex} ${ARGN})
endfunction()

# The reader of deal.II looped forever on this file.
mesh_error_test(missing_end_physical_names
  "missing-end-physical-names.msh: cannot read the Gmsh mesh: line 10: expected \\$EndPhysicalNames after the 4 names counted on line 5, found '\\$Nodes'"
  ${GMSH_CASE} --set "Mesh/Gmsh/File=${MESH}/missing-end-physical-names.msh")
mesh_error_test(binary_file
  "binary.msh: cannot read the Gmsh mesh: line 2: binary .msh files are not supported"
  ${GMSH_CASE} --set "Mesh/Gmsh/File=${MESH}/binary.msh")
mesh_error_test(duplicate_node_id
  "duplicate-node-id.msh: cannot read the Gmsh mesh: line 25: the node id 5 is used twice \\(first on line 17\\)"
  ${GMSH_CASE} --set "Mesh/Gmsh/File=${MESH}/duplicate-node-id.msh")
mesh_error_test(unused_node
  "unused-node.msh: cannot read the Gmsh mesh: line 25: the node 13 belongs to no volume element"
  ${GMSH_CASE} --set "Mesh/Gmsh/File=${MESH}/unused-node.msh")
mesh_error_test(repeated_node
  "repeated-node.msh: cannot read the Gmsh mesh: line 25: the nodes 5 \\(line 17\\) and 13 are at the same point \\(0.01, 0.01, 0\\)"
  ${GMSH_CASE} --set "Mesh/Gmsh/File=${MESH}/repeated-node.msh")
mesh_error_test(twisted_cell
  "twisted.msh: coarse cell 1 with the vertices .* is twisted: the Jacobian determinant of its trilinear map is -.* at vertex"
  ${GMSH_CASE} --set "Mesh/Gmsh/File=${MESH}/twisted.msh")
mesh_error_test(twisted_cell_validate
  "twisted.msh: coarse cell 1 with the vertices .* is twisted"
  --validate ${GMSH_CASE} --set "Mesh/Gmsh/File=${MESH}/twisted.msh")
mesh_error_test(zero_volume
  "zero-volume.msh: coarse cell 0 with the vertices .* has zero volume"
  ${GMSH_CASE} --set "Mesh/Gmsh/File=${MESH}/zero-volume.msh")
# Label 100000 (it indexed arrays of 256 entries: SIGSEGV) without a tissue of that label.
mesh_error_test(large_label_without_tissue
  "the mesh has the labels 2, 100000 but the database has no tissue for label\\(s\\) 100000"
  ${GMSH_CASE} --set "Mesh/Gmsh/File=${MESH}/label-100000.msh")
mesh_error_test(large_label_without_tissue_validate
  "no tissue for label\\(s\\) 100000"
  --validate ${GMSH_CASE} --set "Mesh/Gmsh/File=${MESH}/label-100000.msh")
# Label 100000 and boundary tags 100010/100011 with a tissue row: the same temperatures as
# labels 1, 10, 11; --validate passes; the format 4.1 file gives the same temperatures.
ferrotherm_test(mesh/large_labels mesh/gmsh_cases.py large-labels PROCESSORS 2)
ferrotherm_test(mesh/format_41 mesh/gmsh_cases.py format-41 PROCESSORS 2)

# Saved meshes (Mesh/Save mesh, Mesh/Model = saved): rebuilt exactly on 1 and 2 ranks, with
# adaptivity and restarts; a corrupt or edited file names the file and line.
ferrotherm_test(mesh/saved_mesh mesh/saved_mesh.py PROCESSORS 2)
set(SAVED ${MESH}/saved)
set(SAVED_CASE ${CMAKE_CURRENT_SOURCE_DIR}/errors/base.prm --set "Mesh/Model=saved"
  --set "Tissues/Target tissues=")
mesh_error_test(saved_truncated
  "truncated.ftmesh: the file ends before 'end' \\(truncated\\? it must end with 'end'\\)"
  ${SAVED_CASE} --set "Mesh/Saved/File=${SAVED}/truncated.ftmesh")
mesh_error_test(saved_bad_vertex
  "bad-vertex.ftmesh:18: vertex 8 does not exist \\(8 vertices, numbered from 0\\)"
  ${SAVED_CASE} --set "Mesh/Saved/File=${SAVED}/bad-vertex.ftmesh")
mesh_error_test(saved_short_tree
  "short-tree.ftmesh:18: the refinement tree of the cell ends early"
  ${SAVED_CASE} --set "Mesh/Saved/File=${SAVED}/short-tree.ftmesh")
mesh_error_test(saved_unbalanced
  "unbalanced.ftmesh: the refinement trees give 71 cells after p4est's 2:1 balance, not the 22 saved"
  ${SAVED_CASE} --set "Mesh/Saved/File=${SAVED}/unbalanced.ftmesh")
mesh_error_test(saved_fewer_refinements
  "Mesh/Global refinements: 0 is fewer than the 1 global refinements the saved mesh .*cube.ftmesh holds"
  ${SAVED_CASE} --set "Mesh/Saved/File=${SAVED}/cube.ftmesh")
mesh_error_test(saved_not_a_saved_mesh
  "two-blocks-41.msh:1: not a Ferrotherm saved mesh"
  ${SAVED_CASE} --set "Mesh/Saved/File=${MESH}/two-blocks-41.msh")
mesh_error_test(save_curved_mesh
  "Mesh/Save mesh: the mesh has curved tissue interfaces or boundaries"
  ${CMAKE_CURRENT_SOURCE_DIR}/errors/base.prm --set "Mesh/Save mesh=true")

# The Gmsh route (scripts/gmsh_hex_mesh.py): geometry, tetrahedral meshes and closed
# surfaces to all-hexahedral meshes, checked by the heated-sphere closed form and volumes.
ferrotherm_test(mesh/gmsh_route_sphere mesh/gmsh_route.py sphere PROCESSORS 2)
ferrotherm_test(mesh/gmsh_route_inputs mesh/gmsh_route.py inputs)
# Coincident vertices of the coarse cells (any mesh model; here a saved mesh): a crack.
mesh_error_test(coincident_vertices
  "crack.ftmesh\\): the vertices 1 and 8 of the coarse cells are at the same point \\(0.01 0 0\\): the cells on either side are not connected"
  ${SAVED_CASE} --set "Mesh/Saved/File=${SAVED}/crack.ftmesh")
