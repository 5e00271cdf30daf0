# End-to-end check of the gad tool on the MNIST fixture: every command and model family once,
# a resumed run, and the errors a user is most likely to meet. Run by CTest as
#   cmake -DGAD=<tool> -DDATA=<fixture folder> -DOUT=<scratch folder> -P smoke_test.cmake
# Networks are tiny and runs a few iterations long: this proves the plumbing, not learning.
cmake_minimum_required(VERSION 3.21)
file(REMOVE_RECURSE "${OUT}")
file(MAKE_DIRECTORY "${OUT}")
set(runtime --threads 2 --device cpu --quiet)
set(common --data "${DATA}" ${runtime})
set(tiny_algan --z-dim 8 --generator-hidden 16,32 --discriminator-hidden 32,16 --batch-size 16)

# gad(<expected exit code> <args...>): runs the tool, leaves its output in out and err.
function(gad expected)
  execute_process(COMMAND "${GAD}" ${ARGN} RESULT_VARIABLE code OUTPUT_VARIABLE o ERROR_VARIABLE e)
  if(NOT code STREQUAL "${expected}")
    string(REPLACE ";" " " args "${ARGN}")
    message(FATAL_ERROR "gad ${args}\nexited with ${code}, expected ${expected}\n"
                        "stdout:\n${o}\nstderr:\n${e}")
  endif()
  set(out "${o}" PARENT_SCOPE)
  set(err "${e}" PARENT_SCOPE)
endfunction()

function(expect_file path)
  if(NOT EXISTS "${path}")
    message(FATAL_ERROR "expected file ${path} is missing")
  endif()
endfunction()

function(expect_match text regex what)
  if(NOT text MATCHES "${regex}")
    message(FATAL_ERROR "${what}: '${regex}' not found in:\n${text}")
  endif()
endfunction()

# ALGAN: train (with a resumable checkpoint), then the files and the summary's numbers.
# (A seed other than the default, so that evaluate and --resume must take the model's own.)
gad(0 train algan ${common} ${tiny_algan} --epochs 3 --validate-every 1 --select-from-epoch 1
    --checkpoint-every 1 --seed 7 --out "${OUT}/algan")
foreach(f model.gad checkpoint.gad summary.json scores.csv loss_log.csv roc.png histogram.png
          loss_curves.png validation_auroc.png samples.png)
  expect_file("${OUT}/algan/${f}")
endforeach()
file(READ "${OUT}/algan/summary.json" summary)
string(JSON auroc GET "${summary}" test auroc)
string(JSON epochs GET "${summary}" fit epochs_run)
string(JSON height GET "${summary}" options height)
string(JSON normal GET "${summary}" sizes test_normal)
if(NOT epochs EQUAL 3 OR NOT height EQUAL 28 OR NOT normal EQUAL 30 OR auroc LESS 0 OR auroc GREATER 1)
  message(FATAL_ERROR "implausible summary.json:\n${summary}")
endif()

# Repeating the command must not replace the checkpoint of the run before it.
file(SHA256 "${OUT}/algan/checkpoint.gad" saved)
gad(1 train algan ${common} ${tiny_algan} --epochs 3 --checkpoint-every 1 --out "${OUT}/algan")
expect_match("${err}" "checkpoint.gad exists.*--resume" "a fresh run over a checkpoint")
file(SHA256 "${OUT}/algan/checkpoint.gad" after)
if(NOT after STREQUAL saved)
  message(FATAL_ERROR "the refused run changed ${OUT}/algan/checkpoint.gad")
endif()

# inspect: the saved options are the ones given on the command line.
gad(0 inspect "${OUT}/algan/model.gad")
string(JSON z GET "${out}" options z_dim)
string(JSON policies GET "${out}" policies)
if(NOT z EQUAL 8 OR NOT policies MATCHES "normalization=spectral.*pseudo_anomaly")
  message(FATAL_ERROR "inspect printed:\n${out}")
endif()

# evaluate with the model's seed reproduces the training run's test AUROC exactly.
gad(0 evaluate --model "${OUT}/algan/model.gad" ${common} --out "${OUT}/algan-eval")
file(READ "${OUT}/algan-eval/evaluation.json" evaluation)
string(JSON eval_auroc GET "${evaluation}" test auroc)
if(NOT eval_auroc EQUAL auroc)
  message(FATAL_ERROR "evaluate gave AUROC ${eval_auroc}, training reported ${auroc}")
endif()

# score an IDX file: one CSV row per image.
gad(0 score --model "${OUT}/algan/model.gad" --images "${DATA}/t10k-images-idx3-ubyte.gz"
    --out "${OUT}/algan-scores.csv" --threads 2)
file(STRINGS "${OUT}/algan-scores.csv" rows)
list(LENGTH rows n)
if(NOT n EQUAL 101)
  message(FATAL_ERROR "score wrote ${n} lines, expected a header and 100 rows")
endif()

# --resume continues from the checkpoint's epoch with the checkpoint's options; this one was
# written after the last epoch, so the resumed run must end with the same model and AUROC.
gad(0 train algan ${common} --resume "${OUT}/algan/checkpoint.gad" --out "${OUT}/algan-resumed")
file(READ "${OUT}/algan-resumed/summary.json" resumed)
string(JSON resumed_auroc GET "${resumed}" test auroc)
string(JSON resumed_protocol GET "${resumed}" protocol)
expect_match("${resumed_protocol}" "seed=7" "the resumed run's split")
if(NOT resumed_auroc EQUAL auroc)
  message(FATAL_ERROR "resumed run: AUROC ${resumed_auroc}, original run ${auroc}")
endif()

# --early-stop: the run ends with a saved model whatever epoch it stopped at.
gad(0 train algan ${common} ${tiny_algan} --epochs 4 --validate-every 1 --select-from-epoch 1
    --early-stop 1 --no-plots --out "${OUT}/algan-early")
expect_file("${OUT}/algan-early/model.gad")

# --architecture conv alone takes the conv preset's channel counts; inspect shows them.
gad(0 train algan ${common} --architecture conv --z-dim 8 --batch-size 16 --epochs 1 --no-plots
    --out "${OUT}/algan-conv")
gad(0 inspect "${OUT}/algan-conv/model.gad")
string(JSON arch GET "${out}" options architecture)
string(JSON g0 GET "${out}" options generator_hidden 0)
string(JSON d0 GET "${out}" options discriminator_hidden 0)
if(NOT arch STREQUAL "conv" OR NOT g0 EQUAL 64 OR NOT d0 EQUAL 32)
  message(FATAL_ERROR "conv model: inspect printed:\n${out}")
endif()

# ALAD and EGBAD on a few samples of the anomalous-class protocol.
gad(0 train alad ${common} --anomalous 1 --epochs 1 --batch-size 16 --max-train 32 --max-test 40
    --score l2 --dzz --out "${OUT}/alad")
expect_file("${OUT}/alad/model.gad")
file(READ "${OUT}/alad/summary.json" alad)
string(JSON l1 GET "${alad}" test auroc_by_rule l1)
string(JSON policies GET "${alad}" policies)
expect_match("${policies}" "D_zz.*scoring=l2" "alad policies")
# Held-out normals on the anomalous-class protocol: the run validates on them by mean score.
gad(0 train alad ${common} --anomalous 1 --epochs 2 --batch-size 16 --max-train 32 --max-test 40
    --validation-fraction 0.25 --validate-every 1 --validation-score l1 --no-plots
    --out "${OUT}/alad-heldout")
file(READ "${OUT}/alad-heldout/summary.json" heldout)
string(JSON criterion GET "${heldout}" fit validation_criterion)
string(JSON validation_normal GET "${heldout}" sizes validation_normal)
string(JSON validation_anomalous GET "${heldout}" sizes validation_anomalous)
string(JSON validations LENGTH "${heldout}" fit validations)
if(NOT criterion STREQUAL "mean l1 score" OR validation_normal LESS 1 OR
   NOT validation_anomalous EQUAL 0 OR NOT validations EQUAL 2)
  message(FATAL_ERROR "anomalous-class with --validation-fraction:\n${heldout}")
endif()
# ALGAN on held-out normals: label-free selection, ranked against pseudo-anomalies.
gad(0 train algan ${common} ${tiny_algan} --protocol one-class --normal 0 --epochs 2
    --validation-fraction 0.25 --validate-every 1 --select-from-epoch 1 --ema-decay 0.5
    --no-plots --out "${OUT}/algan-heldout")
file(READ "${OUT}/algan-heldout/summary.json" heldout)
string(JSON criterion GET "${heldout}" fit validation_criterion)
string(JSON validations LENGTH "${heldout}" fit validations)
string(JSON best GET "${heldout}" fit kept_epoch)
if(NOT criterion STREQUAL "AUROC against pseudo-anomalies" OR NOT validations EQUAL 2 OR
   best LESS 1)
  message(FATAL_ERROR "ALGAN one-class with --validation-fraction:\n${heldout}")
endif()
gad(0 train egbad ${common} --anomalous 1 --epochs 1 --batch-size 16 --max-train 32 --max-test 40
    --term ch --out "${OUT}/egbad")
gad(0 evaluate --model "${OUT}/egbad/model.gad" ${common} --anomalous 1 --max-test 40
    --no-plots --out "${OUT}/egbad-eval")
expect_file("${OUT}/egbad-eval/evaluation.json")

# Errors: clear message and exit status 1, nothing written as a model.
gad(1 train algan ${runtime} --data "${OUT}" --out "${OUT}/no-data")
expect_match("${err}" "not found" "missing IDX files")
gad(1 train algan ${common} ${tiny_algan} --generator-lr -1 --out "${OUT}/bad-lr")
expect_match("${err}" "generator_lr" "negative learning rate")
gad(1 train algan ${common} --batch-size 100000 --out "${OUT}/big-batch")
expect_match("${err}" "batch" "batch larger than the data")
gad(1 train algan ${common} --validation-fraction 0.1 --out "${OUT}/two-class-fraction")
expect_match("${err}" "validation-fraction has no meaning" "--validation-fraction with two-class")
gad(1 train algan ${common} --normal 3 --anomalous 3 --out "${OUT}/same-class")
expect_match("${err}" "must differ" "same normal and anomalous class")
gad(1 train algan ${common} ${tiny_algan} --width 20 --out "${OUT}/wrong-size")
expect_match("${err}" "28" "images of the wrong size")
file(WRITE "${OUT}/corrupt.gad" "not a checkpoint")
gad(1 inspect "${OUT}/corrupt.gad")
expect_match("${err}" "corrupt.gad" "corrupt model file")
gad(1 score --model "${OUT}/alad/model.gad" --images "${DATA}/t10k-labels-idx1-ubyte.gz")
expect_match("${err}" "magic|images" "a label file given as images")
if(EXISTS "${OUT}/bad-lr/model.gad" OR EXISTS "${OUT}/wrong-size/model.gad")
  message(FATAL_ERROR "a failed run left a model file behind")
endif()
message(STATUS "gad tool smoke test passed")
