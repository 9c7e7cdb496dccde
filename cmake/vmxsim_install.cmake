# SPDX-License-Identifier: Apache-2.0
#
# Install rules for what is not one target's own (included by the top-level
# CMakeLists.txt when VMXSIM_INSTALL is on; lib/ and cli/ install their
# targets themselves):
#
#   include/vmxsim/*.h                          the public API
#   LIBDIR/pkgconfig/vmxsim.pc                  pkg-config --cflags --libs vmxsim
#   LIBDIR/cmake/vmxsim/vmxsimConfig*.cmake     find_package(vmxsim): vmxsim::vmxsim, vmxsim::vmxsim_static
#   share/doc/vmxsim/LICENSE, NOTICE
include(CMakePackageConfigHelpers)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/vmxsim DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        COMPONENT vmxsim_development FILES_MATCHING PATTERN "*.h")
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE ${PROJECT_SOURCE_DIR}/NOTICE
        DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT vmxsim_runtime)

# pkg-config. With relative LIBDIR and INCLUDEDIR (the usual case) the
# prefix is found from the .pc file's own place, ${pcfiledir}, so the tree
# still works after `cmake --install --prefix ELSEWHERE` or a move.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}" OR IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(VMXSIM_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
  set(VMXSIM_PC_LIBDIR "${CMAKE_INSTALL_FULL_LIBDIR}")
  set(VMXSIM_PC_INCLUDEDIR "${CMAKE_INSTALL_FULL_INCLUDEDIR}")
else()
  file(RELATIVE_PATH vmxsim_pc_up /p/${CMAKE_INSTALL_LIBDIR}/pkgconfig /p)
  string(REGEX REPLACE "/$" "" vmxsim_pc_up "${vmxsim_pc_up}")
  set(VMXSIM_PC_PREFIX "\${pcfiledir}/${vmxsim_pc_up}")
  set(VMXSIM_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
  set(VMXSIM_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
configure_file(${PROJECT_SOURCE_DIR}/packaging/vmxsim.pc.in ${PROJECT_BINARY_DIR}/packaging/vmxsim.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/packaging/vmxsim.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
        COMPONENT vmxsim_development)

# CMake package: the exported shared library, the static one declared by
# vmxsimConfig.cmake, and a version file (SameMajorVersion: any 0.x.y at or
# above the version asked for).
set(VMXSIM_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/vmxsim)
set(VMXSIM_INSTALL_STATIC_LIB ${CMAKE_INSTALL_LIBDIR}/libvmxsim.a)
configure_package_config_file(${PROJECT_SOURCE_DIR}/packaging/vmxsimConfig.cmake.in
  ${PROJECT_BINARY_DIR}/packaging/vmxsimConfig.cmake
  INSTALL_DESTINATION ${VMXSIM_CMAKE_DIR}
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR VMXSIM_INSTALL_STATIC_LIB)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/packaging/vmxsimConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(EXPORT vmxsimTargets NAMESPACE vmxsim:: DESTINATION ${VMXSIM_CMAKE_DIR} COMPONENT vmxsim_development)
install(FILES ${PROJECT_BINARY_DIR}/packaging/vmxsimConfig.cmake ${PROJECT_BINARY_DIR}/packaging/vmxsimConfigVersion.cmake
        DESTINATION ${VMXSIM_CMAKE_DIR} COMPONENT vmxsim_development)
