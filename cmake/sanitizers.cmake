# BELLOWS_SANITIZE is a comma-separated list handed to -fsanitize=
# (for example "address,undefined" or "thread"). Applies to every target.
set(BELLOWS_SANITIZE "" CACHE STRING "Sanitizers to build with, e.g. address,undefined")
if(BELLOWS_SANITIZE)
    add_compile_options(-fsanitize=${BELLOWS_SANITIZE} -fno-sanitize-recover=all
                        -fno-omit-frame-pointer -g)
    add_link_options(-fsanitize=${BELLOWS_SANITIZE})
endif()
