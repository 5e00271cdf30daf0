# scripts/alad_digit_table.py on fixture runs: a partial experiment prints its rows and marks
# the missing digits, and runs of two different experiments are refused rather than mixed.
#   cmake -DEXAMPLE=<alad_mnist> -DDATA=<fixture> -DSCRIPT=<table script> -DPYTHON=<python3>
#         -DOUT=<scratch> -P digit_table_test.cmake
cmake_minimum_required(VERSION 3.21)
file(REMOVE_RECURSE "${OUT}")
set(tiny --data "${DATA}" --epochs 1 --batch-size 16 --train-limit 32 --threads 1 --device cpu)

include(${CMAKE_CURRENT_LIST_DIR}/script_test_helpers.cmake)

foreach(d 0 2)
  must_succeed("${EXAMPLE}" --label ${d} --model pca --data "${DATA}" --out "${OUT}/pca/digit${d}")
  must_succeed("${EXAMPLE}" --label ${d} ${tiny} --out "${OUT}/alad/digit${d}")
endforeach()
# The number the table must print for digit 2, rounded as the table rounds.
must_succeed("${PYTHON}" -c "import json,sys; r=json.load(open(sys.argv[1]))['results']; \
print(f\"{r['l1']['auroc']:.4f}\")" "${OUT}/alad/digit2/summary.json")
string(STRIP "${out}" l1)

must_succeed("${PYTHON}" "${SCRIPT}" "${OUT}/alad" "${OUT}/pca")
foreach(expected "\\| 2 \\| ${l1}" "\\| 1 \\| not run" "2 of 10 digits run" "batch 16")
  if(NOT out MATCHES "${expected}")
    message(FATAL_ERROR "'${expected}' not in the table:\n${out}")
  endif()
endforeach()

# Another moving-average decay is another experiment.
file(COPY "${OUT}/alad/digit0" DESTINATION "${OUT}/mixed")
must_succeed("${EXAMPLE}" --label 2 ${tiny} --ema-decay 0.99 --out "${OUT}/mixed/digit2")
run("${PYTHON}" "${SCRIPT}" "${OUT}/mixed" "${OUT}/pca")
if(code EQUAL 0 OR NOT out MATCHES "not the same GAN experiment")
  message(FATAL_ERROR "mixed experiments were not refused (exit ${code}):\n${out}")
endif()
message(STATUS "digit table test passed")
