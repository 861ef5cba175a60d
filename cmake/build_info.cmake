# Writes build_info.cpp with the current git revision; run at every build, rewrites the file
# only when the revision changed (configure_file leaves an identical file untouched).
execute_process(COMMAND git rev-parse --short=12 HEAD
                WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE DANGAN_GIT_REVISION OUTPUT_STRIP_TRAILING_WHITESPACE
                ERROR_QUIET)
if(NOT DANGAN_GIT_REVISION)
  set(DANGAN_GIT_REVISION "unknown")
endif()
configure_file(${SOURCE_DIR}/src/core/build_info.cpp.in ${OUTPUT} @ONLY)
