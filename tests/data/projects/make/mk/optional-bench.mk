bench: build
	./build/widget --bench
