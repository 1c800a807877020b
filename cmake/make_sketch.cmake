# make_sketch.cmake - the Arduino sketch folder with the protocol files it shares with the
# host, for the Arduino IDE (cmake -P, run by hardware/CMakeLists.txt at build time).
#
#   -DSKETCH=hardware/firmware/bellows_belt -DROOT=<source tree> -DOUT=<build>/bellows_belt
#
# The protocol has one home, include/bellows/ and src/core/; the sketch in the source tree
# carries no copies. The Arduino IDE gives a sketch no include path of its own, so the
# generated folder puts the host's files where the sketch's "bellows/..." includes find
# them relative to the including file: src/bellows/proto_encode.h (which includes
# "bellows/protocol_defs.h" and "bellows/status.h", hence src/bellows/bellows/) and
# src/proto_encode.c. Files are rewritten only when they change.
foreach(var SKETCH ROOT OUT)
    if(NOT DEFINED ${var})
        message(FATAL_ERROR "make_sketch.cmake: -D${var}=... is missing")
    endif()
endforeach()
file(GLOB_RECURSE files RELATIVE ${SKETCH} ${SKETCH}/*)
set(pairs)
foreach(f ${files})
    list(APPEND pairs "${SKETCH}/${f}|${f}")
endforeach()
list(APPEND pairs
     "${ROOT}/include/bellows/proto_encode.h|src/bellows/proto_encode.h"
     "${ROOT}/include/bellows/protocol_defs.h|src/bellows/bellows/protocol_defs.h"
     "${ROOT}/include/bellows/status.h|src/bellows/bellows/status.h"
     "${ROOT}/src/core/proto_encode.c|src/proto_encode.c")
foreach(pair ${pairs})
    string(REPLACE "|" ";" pair "${pair}")
    list(GET pair 0 from)
    list(GET pair 1 to)
    configure_file(${from} ${OUT}/${to} COPYONLY)
endforeach()
