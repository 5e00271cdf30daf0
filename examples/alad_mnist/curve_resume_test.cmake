# The example's long-run plumbing on the MNIST fixture: a learning curve that does not change
# the run it records, and a resumed run that ends where the uninterrupted one does. Run by
# CTest as
#   cmake -DEXAMPLE=<alad_mnist> -DDATA=<fixture folder> -DOUT=<scratch folder> -P curve_resume_test.cmake
cmake_minimum_required(VERSION 3.21)
file(REMOVE_RECURSE "${OUT}")
set(common --data "${DATA}" --label 0 --batch-size 16 --train-limit 48 --threads 1 --device cpu
           --progress-seconds 1000)

function(example)
  execute_process(COMMAND "${EXAMPLE}" ${ARGN} RESULT_VARIABLE code OUTPUT_VARIABLE o
                  ERROR_VARIABLE e)
  if(NOT code EQUAL 0)
    string(REPLACE ";" " " args "${ARGN}")
    message(FATAL_ERROR "alad_mnist ${args}\nexited with ${code}\nstdout:\n${o}\nstderr:\n${e}")
  endif()
endfunction()

# results(<dir> <var>): the final AUROC and F1 of every rule in <dir>/summary.json, as text.
function(results dir var)
  file(READ "${dir}/summary.json" summary)
  set(text "")
  foreach(rule ch l1 l2 fm)
    string(JSON auroc GET "${summary}" results ${rule} auroc)
    string(JSON f1 GET "${summary}" results ${rule} at_true_ratio f1)
    string(APPEND text "${rule} ${auroc} ${f1}; ")
  endforeach()
  set(${var} "${text}" PARENT_SCOPE)
endfunction()

example(${common} --epochs 2 --out "${OUT}/plain")
example(${common} --epochs 2 --curve-every 1 --out "${OUT}/curve")
# The curve scored epoch 1 from checkpoint.gad; the final report added epoch 2.
file(STRINGS "${OUT}/curve/curve.csv" rows)
list(LENGTH rows n)
if(NOT n EQUAL 9)
  message(FATAL_ERROR "curve.csv should hold a header and 2 epochs x 4 rules:\n${rows}")
endif()
list(GET rows 1 first)
list(GET rows 8 last)
if(NOT first MATCHES "^1,3,[0-9.e+-]+,ch,0\\.[0-9]+" OR NOT last MATCHES "^2,6,[0-9.e+-]+,fm,")
  message(FATAL_ERROR "unexpected curve.csv rows:\n${rows}")
endif()
if(NOT EXISTS "${OUT}/curve/curve.png")
  message(FATAL_ERROR "curve.png is missing")
endif()
results("${OUT}/plain" plain)
results("${OUT}/curve" curve)
if(NOT plain STREQUAL curve)
  message(FATAL_ERROR "recording the curve changed the run:\n  ${plain}\n  ${curve}")
endif()

# The checkpoint the curve wrote holds epoch 1; resuming it trains epoch 2 only, and appends
# that epoch to the curve the interrupted run had written so far.
list(SUBLIST rows 0 5 epoch1)
list(JOIN epoch1 "\n" epoch1)
file(WRITE "${OUT}/resumed/curve.csv" "${epoch1}\n")
example(--data "${DATA}" --label 0 --train-limit 48 --threads 1 --device cpu
        --resume "${OUT}/curve/checkpoint.gad" --curve-every 1 --out "${OUT}/resumed")
results("${OUT}/resumed" resumed)
# A fresh run must not replace the state of another one.
execute_process(COMMAND "${EXAMPLE}" ${common} --epochs 2 --checkpoint-every 1 --out "${OUT}/curve"
                RESULT_VARIABLE code ERROR_VARIABLE e OUTPUT_QUIET)
if(code EQUAL 0 OR NOT e MATCHES "checkpoint.gad exists: continue it with --resume")
  message(FATAL_ERROR "a fresh run over an existing checkpoint.gad should be refused:\n${e}")
endif()
if(NOT plain STREQUAL resumed)
  message(FATAL_ERROR "the resumed run ended elsewhere:\n  ${plain}\n  ${resumed}")
endif()
if(NOT EXISTS "${OUT}/resumed/curve.png")
  message(FATAL_ERROR "the resumed run wrote no curve.png")
endif()
file(STRINGS "${OUT}/resumed/curve.csv" resumed_rows)
list(LENGTH resumed_rows n)
if(n EQUAL 9)
  list(GET resumed_rows 8 resumed_last)
endif()
if(NOT n EQUAL 9 OR NOT resumed_last MATCHES "^2,6,")
  message(FATAL_ERROR "the resumed run should append epoch 2 to the curve:\n${resumed_rows}")
endif()
file(READ "${OUT}/resumed/summary.json" summary)
string(JSON epochs GET "${summary}" training epochs)
string(JSON batch GET "${summary}" options batch_size)
if(NOT epochs EQUAL 2 OR NOT batch EQUAL 16)
  message(FATAL_ERROR "the resumed summary should report the checkpoint's options:\n${summary}")
endif()
