# Shared settings for every target of the project: warnings are errors, include root is src/.
function(loanrisk_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror -Wshadow -Wnon-virtual-dtor)
  target_compile_features(${target} PUBLIC cxx_std_20)
  # GCC 12 reports -Wrestrict inside libstdc++'s std::string operator+ at -O2/-O3 (GCC bug 105651).
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
  # ASan's instrumentation makes GCC report -Wmaybe-uninitialized inside libstdc++ (std::regex,
  # std::function) at -O2; the normal build keeps the warning as an error.
  if(LOANRISK_SANITIZE AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized)
  endif()
endfunction()

# loanrisk_layer(NAME DEPS...): one static library per folder under src/loanrisk/ (header-only
# while a layer has no .cpp yet).
function(loanrisk_layer name)
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  if(sources)
    add_library(loanrisk_${name} STATIC ${sources})
    target_include_directories(loanrisk_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(loanrisk_${name} PUBLIC ${ARGN})
    loanrisk_target_defaults(loanrisk_${name})
  else()
    add_library(loanrisk_${name} INTERFACE)
    target_include_directories(loanrisk_${name} INTERFACE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(loanrisk_${name} INTERFACE ${ARGN})
  endif()
endfunction()
