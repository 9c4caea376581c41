# quiver_module(NAME [DEPENDS module...] [LINKS target...] [SOURCES file...])
#
# Declares the module in the current folder as the object library quiver_NAME, built from
# every *.cc in the folder (plus SOURCES). Layering is enforced by include paths: a module
# sees the headers of its own folder and of the modules it DEPENDS on (transitively), and
# the installed API in include/quiver/; any other quiver header is "file not found".
# LINKS are its third-party dependencies; the bundled library quiver::quiver links them all.
function(quiver_module name)
  cmake_parse_arguments(arg "" "" "DEPENDS;LINKS;SOURCES" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  set(target quiver_${name})
  add_library(${target} OBJECT ${sources} ${arg_SOURCES})

  # The module's include root: a folder holding only a link named after the module.
  set(root ${PROJECT_BINARY_DIR}/module_include/${name})
  file(MAKE_DIRECTORY ${root})
  file(CREATE_LINK ${CMAKE_CURRENT_SOURCE_DIR} ${root}/${name} SYMBOLIC)

  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${root}> $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>)
  foreach(dep IN LISTS arg_DEPENDS)
    target_link_libraries(${target} PUBLIC quiver_${dep})
  endforeach()
  target_link_libraries(${target} PRIVATE ${arg_LINKS})
  target_compile_options(${target} PRIVATE -Wall -Wextra)
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)

  set_property(GLOBAL APPEND PROPERTY QUIVER_MODULES ${target})
  set_property(GLOBAL APPEND PROPERTY QUIVER_MODULE_LINKS ${arg_LINKS})
endfunction()

# quiver_bundle(): the installed static library quiver::quiver, made of every module's
# objects and linking every module's third-party dependencies; with QUIVER_SHARED also the
# shared library quiver::shared (libquiver.so) from the same objects, its dependencies private.
function(quiver_bundle)
  get_property(modules GLOBAL PROPERTY QUIVER_MODULES)
  get_property(links GLOBAL PROPERTY QUIVER_MODULE_LINKS)
  list(REMOVE_DUPLICATES links)
  set(kinds STATIC)
  if(QUIVER_SHARED)
    list(APPEND kinds SHARED)
  endif()
  foreach(kind IN LISTS kinds)
    if(kind STREQUAL "STATIC")
      set(target quiver)
      set(alias quiver::quiver)
    else()
      set(target quiver_shared)
      set(alias quiver::shared)
    endif()
    add_library(${target} ${kind})
    add_library(${alias} ALIAS ${target})
    foreach(module IN LISTS modules)
      target_sources(${target} PRIVATE $<TARGET_OBJECTS:${module}>)
    endforeach()
    target_include_directories(${target} PUBLIC
      $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
      $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
    set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON
                          LINKER_LANGUAGE CXX OUTPUT_NAME quiver)
    target_link_libraries(${target} PRIVATE ${links})
  endforeach()
  if(QUIVER_SHARED)
    # 0.x releases may change the ABI at every minor version.
    set_target_properties(quiver_shared PROPERTIES VERSION ${PROJECT_VERSION}
      SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR}
      EXPORT_NAME shared)
    # Every dependency is resolved inside libquiver.so, so a consumer links it alone.
    target_link_options(quiver_shared PRIVATE -Wl,--no-undefined)
  endif()
endfunction()
