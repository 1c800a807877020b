# git_version.cmake - the version bellows reports: the project version and, in a git
# checkout of this source tree, `git describe --always --dirty` (read at configure time).
#
# bel_git_describe(SOURCE_DIR FALLBACK OUT_VAR): OUT_VAR is "FALLBACK (DESCRIPTION)" when
# SOURCE_DIR is the top of a git work tree and git can describe it, else FALLBACK. A source
# tree unpacked inside some other repository is not a checkout of its own: FALLBACK.
# As a script (cmake -DSOURCE_DIR=D -DFALLBACK=V -P git_version.cmake) it prints the result.
function(bel_git_describe source_dir fallback out_var)
    set(result "${fallback}")
    find_program(BEL_GIT_EXECUTABLE git)
    if(BEL_GIT_EXECUTABLE)
        execute_process(COMMAND ${BEL_GIT_EXECUTABLE} rev-parse --show-toplevel
                        WORKING_DIRECTORY ${source_dir}
                        OUTPUT_VARIABLE top RESULT_VARIABLE rc_top
                        OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
        if(rc_top EQUAL 0)
            file(REAL_PATH "${top}" top)
            file(REAL_PATH "${source_dir}" src)
        endif()
        if(rc_top EQUAL 0 AND top STREQUAL src)
            execute_process(COMMAND ${BEL_GIT_EXECUTABLE} describe --always --dirty
                            WORKING_DIRECTORY ${source_dir}
                            OUTPUT_VARIABLE desc RESULT_VARIABLE rc_desc
                            OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
            if(rc_desc EQUAL 0 AND NOT desc STREQUAL "")
                set(result "${fallback} (${desc})")
            endif()
        endif()
    endif()
    set(${out_var} "${result}" PARENT_SCOPE)
endfunction()

# Configure again when HEAD moves or the index changes, so the description follows.
function(bel_git_watch source_dir)
    find_program(BEL_GIT_EXECUTABLE git)
    if(NOT BEL_GIT_EXECUTABLE)
        return()
    endif()
    execute_process(COMMAND ${BEL_GIT_EXECUTABLE} rev-parse --absolute-git-dir
                    WORKING_DIRECTORY ${source_dir}
                    OUTPUT_VARIABLE git_dir RESULT_VARIABLE rc
                    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    if(rc EQUAL 0)
        foreach(f HEAD index logs/HEAD)
            if(EXISTS "${git_dir}/${f}")
                set_property(DIRECTORY ${PROJECT_SOURCE_DIR} APPEND PROPERTY
                             CMAKE_CONFIGURE_DEPENDS "${git_dir}/${f}")
            endif()
        endforeach()
    endif()
endfunction()

if(CMAKE_SCRIPT_MODE_FILE STREQUAL CMAKE_CURRENT_LIST_FILE)
    bel_git_describe("${SOURCE_DIR}" "${FALLBACK}" version)
    message("${version}")
endif()
