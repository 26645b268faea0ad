// Geometry of tests/mesh/gmsh_route.py (OpenCASCADE): a tumour sphere (label 2) of radius
// 1 cm inside a tissue sphere (label 1) of radius 3 cm whose surface is the boundary
// 'outer'. The physical surface 'interface' lies inside the volume: the conversion drops
// it (a boundary id names outer faces only).
SetFactory("OpenCASCADE");
Sphere(1) = {0, 0, 0, 0.01};
Sphere(2) = {0, 0, 0, 0.03};
BooleanFragments{ Volume{2}; Delete; }{ Volume{1}; Delete; }
Physical Volume("tumour", 2) = {1};
Physical Volume("tissue", 1) = {2};
Physical Surface("outer", 7) = {2};
Physical Surface("interface", 8) = {1};
