#!/usr/bin/env bash
# `gad train/score/evaluate --images` on a folder of PNG files in the MVTec-AD layout, made
# from the MNIST fixture by the image_folder example: the model records how it read its
# images, so scoring a folder and evaluating need no size or channel flags.
# Usage: images_test.sh <gad> <image_folder example> <fixture folder> <scratch folder>
set -euo pipefail
gad=$1 maker=$2 data=$3 out=$4
rm -rf "$out" && mkdir -p "$out"
"$maker" make "$data" "$out/digits" --normal 0 --per-class 5 > /dev/null
printf 'not a png' > "$out/digits/test/digit_3/broken.png"
common=(--threads 1 --device cpu --quiet --no-plots)

"$gad" train algan --images "$out/digits" --image-size 16 --skip-unreadable --epochs 2 --batch-size 16 \
  --z-dim 8 --generator-hidden 16,32 --discriminator-hidden 32,16 "${common[@]}" \
  --out "$out/algan" > "$out/train.stdout" 2> "$out/train.stderr"
grep -q "test AUROC" "$out/train.stdout" || { echo "FAIL: no test AUROC"; cat "$out/train.stdout"; exit 1; }
grep -q "skipped 1 files" "$out/train.stderr" || { echo "FAIL: the broken file was not reported"; exit 1; }
grep -q '"height": 16' "$out/algan/summary.json" || { echo "FAIL: the images were not 16x16"; exit 1; }

# ALAD and EGBAD build conv networks for other sizes and RGB.
"$gad" train egbad --images "$out/digits" --image-size 32 --image-channels 3 --skip-unreadable \
  --epochs 1 --batch-size 8 "${common[@]}" --out "$out/egbad" > "$out/egbad.stdout" 2> /dev/null
grep -q '"network": "egbad-image-32x32x3"' "$out/egbad/summary.json" ||
  { echo "FAIL: EGBAD did not build 32x32x3 networks"; exit 1; }

# Scoring a folder: no --image-size, the model knows it; one row per file, with the file named.
"$gad" score --model "$out/algan/model.gad" --images "$out/digits/test/good" --threads 1 \
  --out "$out/scores.csv" > /dev/null
[[ $(wc -l < "$out/scores.csv") == 6 ]] || { echo "FAIL: scores.csv:"; cat "$out/scores.csv"; exit 1; }
grep -q "test/good/00000.png" "$out/scores.csv" || { echo "FAIL: files not named"; exit 1; }

"$gad" evaluate --model "$out/algan/model.gad" --images "$out/digits" --skip-unreadable \
  --threads 1 --quiet --no-plots --out "$out/eval" > "$out/eval.stdout"
grep -q "test AUROC" "$out/eval.stdout" || { echo "FAIL: evaluate"; exit 1; }

# A model trained on IDX files cannot guess how to read a folder.
"$gad" train algan --data "$data" --epochs 1 --batch-size 16 --z-dim 8 --generator-hidden 16,32 \
  --discriminator-hidden 32,16 "${common[@]}" --out "$out/idx" > /dev/null
status=0
"$gad" score --model "$out/idx/model.gad" --images "$out/digits/test/good" --out "$out/x.csv" \
  2> "$out/idx.stderr" || status=$?
[[ $status == 1 ]] && grep -q "not trained on an image folder" "$out/idx.stderr" ||
  { echo "FAIL: scoring a folder with an IDX model: status $status"; cat "$out/idx.stderr"; exit 1; }
echo "images test passed"
