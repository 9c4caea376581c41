# Installs the libraries, their headers, a CMake package and a pkg-config file, so that
# consumers can write
#   find_package(quiver CONFIG REQUIRED)
#   target_link_libraries(app PRIVATE quiver::quiver)   # static; quiver::shared for libquiver.so
# or `c++ app.cc $(pkg-config --cflags --libs quiver)`.
include(CMakePackageConfigHelpers)

set(installed_libraries quiver)
if(QUIVER_SHARED)
  list(APPEND installed_libraries quiver_shared)
endif()
install(TARGETS ${installed_libraries} EXPORT quiverTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/quiver DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS quiver_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

set(config_dir ${CMAKE_INSTALL_LIBDIR}/cmake/quiver)
install(EXPORT quiverTargets NAMESPACE quiver:: DESTINATION ${config_dir})
configure_package_config_file(cmake/quiverConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/quiverConfig.cmake INSTALL_DESTINATION ${config_dir})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/quiverConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${CMAKE_CURRENT_BINARY_DIR}/quiverConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/quiverConfigVersion.cmake
  DESTINATION ${config_dir})

# pkg-config: relocatable (paths relative to the .pc file). With the shared library installed,
# -lquiver links it and the dependencies are needed only for --static; without it, -lquiver is
# the static archive and its dependencies are part of Libs.
set(pc_dir ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
file(RELATIVE_PATH QUIVER_PC_PREFIX /root/${pc_dir} /root)
string(REGEX REPLACE "/$" "" QUIVER_PC_PREFIX "${QUIVER_PC_PREFIX}")
set(QUIVER_PC_REQUIRES "rocksdb sentencepiece libpcre2-8 libutf8proc libxxhash icu-uc icu-i18n zlib")
set(QUIVER_PC_LIBS "-lfaiss -lblas -llapack -lstemmer ${QUIVER_OPENBLAS_OPENMP_LIBRARY} \
${QUIVER_DNNL_LIBRARY} ${OpenMP_CXX_FLAGS} -lpthread")
if(QUIVER_SHARED)
  set(QUIVER_PC_FIELDS "Libs: -L\${libdir} -lquiver
Requires.private: ${QUIVER_PC_REQUIRES}
Libs.private: ${QUIVER_PC_LIBS}")
else()
  set(QUIVER_PC_FIELDS "Libs: -L\${libdir} -lquiver ${QUIVER_PC_LIBS}
Requires: ${QUIVER_PC_REQUIRES}")
endif()
configure_file(cmake/quiver.pc.in ${CMAKE_CURRENT_BINARY_DIR}/quiver.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/quiver.pc DESTINATION ${pc_dir})
