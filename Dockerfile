# The example agent of docker-compose.yaml: ./examples/quickstart, built in a
# Go image and run from a minimal one.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/quickstart ./examples/quickstart

FROM gcr.io/distroless/static-debian12:nonroot
# The agent also writes its OTLP/JSON files into the working directory.
WORKDIR /home/nonroot
COPY --from=build /out/quickstart /usr/local/bin/quickstart
ENTRYPOINT ["/usr/local/bin/quickstart"]
