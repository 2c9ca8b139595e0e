IMAGE ?= widget:$(VERSION)

.PHONY: docker-build docker-push

docker-build: ## Build the container image
	docker build -t $(IMAGE) .

docker-push: docker-build ## Push the image
	docker push $(IMAGE)
