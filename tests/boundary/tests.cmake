# Tests of tests/boundary (included from tests/CMakeLists.txt): boundary data as
# expressions of x, y, z, t for heat (fixed temperature, heat flux, convective h(x, y, z)
# and T_inf(x, y, z, t)) and transport (fixed concentration), and their bad input.
ferrotherm_test(boundary/heat_q1 boundary/boundary.py heat Q1 PROCESSORS 2)
ferrotherm_test(boundary/heat_q2 boundary/boundary.py heat Q2 PROCESSORS 2)
ferrotherm_test(boundary/heat_balance boundary/boundary.py balance PROCESSORS 2)
ferrotherm_test(boundary/transport boundary/boundary.py transport PROCESSORS 2)

function(boundary_error_test name regex)
  expect_error_test(boundary/${name} ${regex} ${ARGN})
endfunction()
boundary_error_test(unknown_name_in_expression
  "Heat/Boundary conditions \\(boundary 'x_min', fixed temperature\\): cannot parse the expression '37 \\+ foo\\*t'.*Unexpected token \"foo\""
  ${ERRORS}/base.prm --set "Heat/Boundary conditions=x_min: fixed temperature 37 + foo*t")
boundary_error_test(heat_transfer_coefficient_in_time
  "Heat/Boundary conditions \\(boundary 'x_max', convective\\): the heat transfer coefficient h = '10\\*\\(1 \\+ t/60\\)' depends on t"
  ${ERRORS}/base.prm --set "Heat/Boundary conditions=x_max: convective 10*(1 + t/60), 20")
boundary_error_test(convective_one_value
  "\\(boundary 'x_max', convective\\): expected 'convective h \\[W/\\(m\\^2 K\\)\\], T_inf \\[deg C\\]'.*found 'convective min\\(10, 20\\)'"
  ${ERRORS}/base.prm --set "Heat/Boundary conditions=x_max: convective min(10, 20)")
boundary_error_test(negative_heat_transfer_coefficient
  "\\(boundary 'x_max', convective\\): the heat transfer coefficient h must be non-negative \\[W/\\(m\\^2 K\\)\\], found -"
  ${ERRORS}/base.prm --set "Heat/Boundary conditions=x_max: convective 10 - 1e5*x, 20")
boundary_error_test(unknown_name_in_concentration
  "Transport/Advection diffusion/Boundary conditions \\(boundary 'x_min', fixed concentration\\): cannot parse the expression 'c0\\*t'"
  ${CMAKE_CURRENT_SOURCE_DIR}/boundary/transport_fixed.prm
  --set "Transport/Advection diffusion/Boundary conditions=x_min: fixed concentration c0*t")
