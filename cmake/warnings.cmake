# Project warning set (STYLE.md section 9), applied per target.
function(bel_target_warnings target)
    target_compile_options(${target} PRIVATE
        -Wall -Wextra -Wpedantic -Wshadow -Wvla -Wstrict-prototypes
        -Wmissing-prototypes -Wdouble-promotion -Wfloat-conversion -Wformat=2
        -Wimplicit-fallthrough -Wcast-qual -Wwrite-strings -Wundef)
    if(BELLOWS_WERROR)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
endfunction()
