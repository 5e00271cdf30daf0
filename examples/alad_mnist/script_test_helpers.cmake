# run() and must_succeed() for the example's script tests: a command's exit code in `code` and
# its stdout and stderr together in `out`; must_succeed() stops the test with both on failure.
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE code OUTPUT_VARIABLE o ERROR_VARIABLE e)
  set(code "${code}" PARENT_SCOPE)
  set(out "${o}${e}" PARENT_SCOPE)
endfunction()

function(must_succeed)
  run(${ARGN})
  if(NOT code EQUAL 0)
    string(REPLACE ";" " " args "${ARGN}")
    message(FATAL_ERROR "${args}\nexited with ${code}:\n${out}")
  endif()
  set(out "${out}" PARENT_SCOPE)
endfunction()
