# Tests of tests/ranges (included from tests/CMakeLists.txt): plausibility ranges of the
# physical parameters and tissue-table values (core/range_check), duplicate names and
# columns, and closed polyline coils without a field. Each case must fail on 2 ranks with
# one message naming the parameter (or file and line), the accepted range with its unit
# and the value found (expect_error.py: exit != 0, no output directory left behind).
# Brackets in the regexes are written \x5b and \x5d: CMake treats [ and ] in list
# arguments specially.
set(RANGES_BASE ${CMAKE_CURRENT_SOURCE_DIR}/errors/base.prm)
function(range_error_test name regex)
  expect_error_test(ranges/${name} ${regex} ${ARGN})
endfunction()

# Defects: ran with exit 0 (T90 of -219 C; 8.6e52 C; density accepted; the second column
# silently overrode the first; duplicate CSV columns; H = 0).
range_error_test(arterial_temperature
  "Heat/Arterial temperature: expected a value in \\x5b25, 45\\x5d deg C, found -300"
  ${RANGES_BASE} --set "Heat/Arterial temperature=-300")
range_error_test(frequency
  "Electromagnetics/Frequency: expected a value in \\(0, 1e8\\x5d Hz, found 1e30"
  ${RANGES_BASE} --set "Electromagnetics/Frequency=1e30")
range_error_test(tissue_density
  "tissues-absurd-density.csv:4 \\(tissue 'tumour', column density\\): expected a value in \\(0, 20000\\x5d kg/m\\^3, found 1e300"
  ${RANGES_BASE} --set "Tissues/Database=${DATA}/tissues-absurd-density.csv")
range_error_test(duplicate_tissue_column
  "tissues-duplicate-column.csv:1: the column 'density' appears twice in the header"
  ${RANGES_BASE} --set "Tissues/Database=${DATA}/tissues-duplicate-column.csv")
range_error_test(duplicate_probe_names
  "Postprocess/Probes/Points: the probe name 'centre' is used twice"
  ${CMAKE_CURRENT_SOURCE_DIR}/ranges/duplicate-probes.prm)
range_error_test(two_point_closed_coil
  "two-point-coil.csv:4: the 2 points of this closed polyline coil lie on one straight line"
  ${RANGES_BASE} --set "Electromagnetics/Model=quasi-static"
  --set "Electromagnetics/Coil/Model=polyline"
  --set "Electromagnetics/Coil/Polyline/File=${DATA}/two-point-coil.csv")
range_error_test(collinear_closed_coil
  "collinear-coil.csv:6: the 4 points of this closed polyline coil lie on one straight line"
  ${RANGES_BASE} --set "Electromagnetics/Model=quasi-static"
  --set "Electromagnetics/Coil/Model=polyline"
  --set "Electromagnetics/Coil/Polyline/File=${DATA}/collinear-coil.csv")

# Further range checks: parameters of each layer, table rows and property overrides.
range_error_test(initial_temperature
  "Heat/Initial temperature: expected a value in \\x5b0, 100\\x5d deg C, found 500"
  ${RANGES_BASE} --set "Heat/Initial temperature=500")
range_error_test(tissue_perfusion
  "tissues-absurd-perfusion.csv:4 \\(tissue 'tumour', column perfusion_rate\\): expected a value in \\x5b0, 1\\x5d 1/s, found 5"
  ${RANGES_BASE} --set "Tissues/Database=${DATA}/tissues-absurd-perfusion.csv")
range_error_test(property_override
  "Tissues/Property overrides \\(tissue 'tumour', column metabolic_heat\\): expected a value in \\x5b0, 1e5\\x5d W/kg, found 1e9"
  ${RANGES_BASE} --set "Tissues/Property overrides=tumour: metabolic_heat=1e9")
range_error_test(end_time
  "Treatment schedule/End time: expected a value in \\x5b0, 1e8\\x5d s, found 1e12"
  ${RANGES_BASE} --set "Treatment schedule/End time=1e12")
range_error_test(coil_current
  "Electromagnetics/Coil/Peak current: expected a value in \\x5b-1e6, 1e6\\x5d A, found 1e9"
  ${RANGES_BASE} --set "Electromagnetics/Model=quasi-static"
  --set "Electromagnetics/Coil/Peak current=1e9")
range_error_test(core_diameter
  "Heating/Rosensweig/Core diameter: expected a value in \\(0, 1e-5\\x5d m, found 0.001"
  ${RANGES_BASE} --set "Heating/Model=rosensweig" --set "Heating/Rosensweig/Core diameter=1e-3")
range_error_test(injection_concentration
  "Injections \\(at t = 0\\) concentration: expected a value in \\x5b0, 1000\\x5d kg/m\\^3, found 1e6"
  ${RANGES_BASE} --set "Transport/Model=advection diffusion"
  --set "Transport/Advection diffusion/Injections=0: tumour, 1e-7, 1e6")
range_error_test(magnet_remanence
  "Magnet/Magnet 1/Remanence: expected a value in \\x5b0, 2\\x5d T, found 12"
  ${RANGES_BASE} --set "Transport/Model=advection diffusion"
  --set "Magnet/Number of magnets=1" --set "Magnet/Magnet 1/Remanence=12")
