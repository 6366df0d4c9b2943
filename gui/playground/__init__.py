"""The convolution playground: step through convolution, ReLU and pooling cell by cell."""
