# --validation-fraction on a fixture run, read back by scripts/alad_selection.py: the epoch the
# run kept is the one of lowest validation mean of its rule, and the final test numbers are that
# epoch's curve row, not the last epoch's.
#   cmake -DEXAMPLE=<alad_mnist> -DDATA=<fixture> -DSCRIPT=<selection script> -DPYTHON=<python3>
#         -DOUT=<scratch> -P selection_test.cmake
cmake_minimum_required(VERSION 3.21)
file(REMOVE_RECURSE "${OUT}")

include(${CMAKE_CURRENT_LIST_DIR}/script_test_helpers.cmake)

must_succeed("${EXAMPLE}" --data "${DATA}" --label 0 --epochs 3 --batch-size 16 --threads 1
             --device cpu --validation-fraction 0.2 --curve-every 1
             --out "${OUT}")
file(READ "${OUT}/summary.json" summary)
string(JSON kept GET "${summary}" selection kept_epoch)
string(JSON criterion GET "${summary}" selection criterion)
string(JSON n GET "${summary}" selection validation_images)
# The default rule is the model's own, fm. On this fixture and seed its validation mean rises
# every epoch (D_xx's features grow), so an early epoch is kept, and the check below can tell
# its numbers from the last epoch's.
if(NOT criterion STREQUAL "mean fm score" OR NOT n EQUAL 31 OR NOT kept LESS 3)
  message(FATAL_ERROR "selection block: criterion '${criterion}', ${n} images, kept epoch "
                      "${kept}:\n${summary}")
endif()

# The kept epoch's l1 row of curve.csv, against the final l1 AUROC, both to 4 decimals.
file(WRITE "${OUT}/check.py" [=[
import csv, json, sys
folder, kept = sys.argv[1], int(sys.argv[2])
rows = [r for r in csv.DictReader(open(folder + "/curve.csv")) if r["rule"] == "l1"]
row = [r for r in rows if int(r["epoch"]) == kept][0]
final = json.load(open(folder + "/summary.json"))["results"]["l1"]["auroc"]
print(len(rows), f"{float(row['auroc']):.4f}", f"{final:.4f}")
]=])
must_succeed("${PYTHON}" "${OUT}/check.py" "${OUT}" ${kept})
string(STRIP "${out}" line)
string(REPLACE " " ";" parts "${line}")
list(GET parts 0 rows)
list(GET parts 1 curve_auroc)
list(GET parts 2 final_auroc)
if(NOT rows EQUAL 3 OR NOT curve_auroc STREQUAL final_auroc)
  message(FATAL_ERROR "curve rows ${rows} (want 3); kept epoch ${kept}: curve AUROC "
                      "${curve_auroc}, reported ${final_auroc}")
endif()

must_succeed("${PYTHON}" "${SCRIPT}" "${OUT}")
foreach(expected "lowest mean fm: epoch ${kept} of 3"
                 "selected by mean fm score and kept epoch ${kept}")
  if(NOT out MATCHES "${expected}")
    message(FATAL_ERROR "'${expected}' not in the script's output:\n${out}")
  endif()
endforeach()
message(STATUS "selection test passed (kept epoch ${kept})")
