release: test docker-push ## Tag and publish a release
	git tag v$(VERSION)
