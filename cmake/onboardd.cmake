# Helpers shared by every folder's CMakeLists.txt.
#
# onboardd_library(<name> SOURCES ... [DEPS ...]) -> static library onboardd_<name>,
#   includes rooted at src/.
# onboardd_test(<name> LABEL unit|db|integration SOURCES ... [DEPS ...]) -> a GoogleTest
#   executable registered with CTest under that label. Labels name the cost: `unit` has no
#   I/O; `db` needs PostgreSQL/Redis (from the environment of scripts/test); `integration`
#   talks to a running onboardd over sockets.
function(onboardd_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(onboardd_${name} STATIC ${ARG_SOURCES})
  target_include_directories(onboardd_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(onboardd_${name} PUBLIC ${ARG_DEPS})
endfunction()

function(onboardd_test name)
  cmake_parse_arguments(ARG "" "LABEL;TIMEOUT" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  # Test code itself needs no -O2 (the code under test keeps it): -O1 compiles a quarter faster.
  target_compile_options(${name} PRIVATE $<$<CONFIG:Release>:-O1>)
  # A test of several files compiles as one (a unity build): each file parsed GoogleTest,
  # Boost and the code under test's headers again, most of a test file's compile time.
  set_target_properties(${name} PROPERTIES UNITY_BUILD ON)
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS ${ARG_LABEL} TIMEOUT ${ARG_TIMEOUT})
endfunction()
