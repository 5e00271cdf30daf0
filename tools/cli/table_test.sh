#!/usr/bin/env bash
# `gad train/score/evaluate --csv` for every detector family on a small table made here: 6
# features, normal rows around 0 and anomalous ones shifted by 3. The model records its feature
# columns and scaling, so scoring rows (with or without the label column) needs no flags; bad
# tables fail with the row and the column.
# Usage: table_test.sh <gad> <MNIST fixture folder> <scratch folder>
set -euo pipefail
gad=$1 data=$2 out=$3
rm -rf "$out" && mkdir -p "$out"
awk 'BEGIN { srand(7); print "f1,f2,f3,f4,f5,f6,kind";
  for (i = 0; i < 240; i++) { a = (i % 6 == 5); line = "";
    for (j = 0; j < 6; j++) line = line sprintf("%.4f,", (rand() + rand() + rand() - 1.5) * 2 + 3 * a);
    print line (a ? "attack" : "normal") } }' > "$out/table.csv"
common=(--threads 1 --device cpu --quiet --no-plots --epochs 3 --label-column kind
        --normal-label normal --anomalous-label attack)
fail() { echo "FAIL: $*"; exit 1; }

"$gad" train algan --csv "$out/table.csv" --batch-size 16 --z-dim 4 --generator-hidden 16,16 \
  --discriminator-hidden 16,16 --validation-fraction 0.2 --validate-every 1 --select-from-epoch 1 \
  "${common[@]}" --out "$out/algan" > "$out/algan.stdout"
grep -q '"width": 6' "$out/algan/summary.json" || fail "ALGAN did not read 1x1x6 rows"
grep -q 'scaled onto \[-1, 1\]' "$out/algan/summary.json" || fail "ALGAN rows not range-scaled"
grep -q '"test_anomalous": 40' "$out/algan/summary.json" || fail "not every anomalous row tests"
for model in alad egbad; do
  "$gad" train $model --csv "$out/table.csv" "${common[@]}" --out "$out/$model" > "$out/$model.stdout"
  grep -q '"network": "alad-kdd"' "$out/$model/summary.json" || fail "$model did not use the KDD networks"
  grep -q 'standardized' "$out/$model/summary.json" || fail "$model rows not standardized"
  grep -q "test AUROC" "$out/$model.stdout" || fail "$model: no test AUROC"
done

# Rows to score, without the label column: one score per row.
head -11 "$out/table.csv" | cut -d, -f1-6 > "$out/new.csv"  # cut reads to the end: no SIGPIPE under pipefail
"$gad" score --model "$out/alad/model.gad" --csv "$out/new.csv" --threads 1 --out "$out/scores.csv" > /dev/null
[[ $(wc -l < "$out/scores.csv") == 11 ]] || { cat "$out/scores.csv"; fail "scores.csv rows"; }
# Evaluation on the training split again (the model's seed), and on a separate test table.
"$gad" evaluate --model "$out/algan/model.gad" --csv "$out/table.csv" --threads 1 --quiet --no-plots \
  --out "$out/eval" > "$out/eval.stdout"
grep -q "test AUROC" "$out/eval.stdout" || fail "evaluate"
grep -q '"test_anomalous": 40' "$out/eval/evaluation.json" || fail "evaluate: another split"
head -121 "$out/table.csv" > "$out/train.csv"
{ head -1 "$out/table.csv"; tail -120 "$out/table.csv"; } > "$out/test.csv"
"$gad" train egbad --csv "$out/train.csv" --test-csv "$out/test.csv" "${common[@]}" \
  --out "$out/separate" > /dev/null 2> "$out/separate.stderr"
grep -q "20 anomalous rows of .*train.csv are left out of training" "$out/separate.stderr" ||
  fail "the training table's anomalies were not reported"
grep -q '"test_anomalous": 20' "$out/separate/summary.json" || fail "--test-csv not the test set"

# Bad tables: the row and the column, exit status 1, no model.
expect_error() {  # <pattern> <args...>
  local pattern=$1; shift
  local status=0
  "$gad" "$@" 2> "$out/err" > /dev/null || status=$?
  [[ $status == 1 ]] && grep -q "$pattern" "$out/err" || { cat "$out/err"; fail "expected '$pattern', status $status"; }
}
sed '5s/^[^,]*,/oops,/' "$out/table.csv" > "$out/bad-cell.csv"
expect_error "row 5, column 'f1': 'oops' is not a finite number" \
  train alad --csv "$out/bad-cell.csv" "${common[@]}" --out "$out/bad"
expect_error "no label column 'label'" train alad --csv "$out/table.csv" --threads 1 --quiet --out "$out/bad"
expect_error "label column says what is normal" \
  train algan --csv "$out/table.csv" --normal 3 "${common[@]}" --out "$out/bad"
sed '1s/f6/g6/' "$out/test.csv" > "$out/renamed.csv"
expect_error "other feature columns" \
  train alad --csv "$out/table.csv" --test-csv "$out/renamed.csv" "${common[@]}" --out "$out/bad"
"$gad" train algan --data "$data" --epochs 1 --batch-size 16 --z-dim 8 --generator-hidden 16,32 \
  --discriminator-hidden 32,16 --threads 1 --device cpu --quiet --no-plots --out "$out/idx" > /dev/null
expect_error "not trained on a table" score --model "$out/idx/model.gad" --csv "$out/new.csv" --out "$out/x.csv"
expect_error "not trained on an image folder" score --model "$out/algan/model.gad" --images "$out" --out "$out/x.csv"
[[ ! -e "$out/bad/model.gad" ]] || fail "a failed run left a model"
echo "table test passed"
