#!/usr/bin/env bash
# Fuzzes the BERT tokenizer (normalisation and WordPiece) with libFuzzer + AddressSanitizer.
#   Fuzz/run-tokenizer-fuzz.sh [RUNS]     (default 1000000 executions)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-1000000}"
corpus=fuzz-corpus/tokenizer
mkdir -p .build "$corpus"
swiftc -O -sanitize=fuzzer,address -parse-as-library \
    Sources/SoftmaxModels/Tokenizer/BertNormalizer.swift Sources/SoftmaxModels/Tokenizer/WordPieceTokenizer.swift \
    Sources/SoftmaxModels/Bert/BertConfig.swift Fuzz/TokenizerFuzz.swift -o .build/tokenizer-fuzz
# Seed corpus: text with the cases the normaliser treats specially (the fuzzer mutates from there).
printf 'The quick brown fox, unable to tokenize!' > "$corpus/seed0"
printf 'Café naïve ÉCOLE straße \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x98\x80 [CLS] [MASK]' > "$corpus/seed1"
printf 'tabs\tand\x00controls\x07 \xcc\x81 combining \xe2\x80\x8b zero-width' > "$corpus/seed2"
SWIFT_BACKTRACE=enable=no .build/tokenizer-fuzz -artifact_prefix=.build/fuzz- -runs="$runs" -max_len=1024 "$corpus"
