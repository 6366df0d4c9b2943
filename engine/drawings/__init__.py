"""Pictures in: image files, drawings prepared like MNIST, and the shipped sample digits."""
