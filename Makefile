# Convenience targets. The release build uses the native CPU (AVX2/AVX-512 where present); the
# library itself is built without unsafe flags, so it stays usable as a dependency.
NATIVE = -Xswiftc -target-cpu -Xswiftc native

.PHONY: run test bench peers fuzz

run:            ## the main job: the lab's default comparison
	swift run -c release $(NATIVE) softmaxkit

test:
	swift test

bench:          ## the full throughput sweep
	swift build -c release $(NATIVE) && .build/release/softmaxkit bench

peers:          ## SoftmaxKit, NumPy and ONNX Runtime side by side (installs the Python peers)
	python3 -m pip install -q -r Benchmarks/requirements.txt
	swift build -c release $(NATIVE) && python3 Benchmarks/peers.py --softmaxkit .build/release/softmaxkit

fuzz:           ## 10^6 libFuzzer executions of the .npy header parser
	Fuzz/run-npy-fuzz.sh 1000000
