# Silo image. CPU ONNX Runtime by default; docker-compose.gpu.yml builds it with ONNXRUNTIME_FLAVOR=Gpu on a CUDA
# runtime image (the GPU ONNX Runtime package then selects the CUDA execution provider).
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/runtime:10.0
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG ONNXRUNTIME_FLAVOR=Cpu
WORKDIR /src
COPY . .
RUN dotnet publish src/VideoDiffusion.Farm.Silo -c Release -o /app -p:OnnxRuntimeFlavor=${ONNXRUNTIME_FLAVOR} \
    $( [ "${ONNXRUNTIME_FLAVOR}" = "Gpu" ] && echo "--self-contained -r linux-x64" )

FROM ${RUNTIME_IMAGE}
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg ca-certificates && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app .
COPY models /models
ENV Farm__Accelerator__ModelsRoot=/models
EXPOSE 11111 30000
# the app host runs on both images (self-contained on the CUDA one, which has no .NET runtime)
ENTRYPOINT ["./VideoDiffusion.Farm.Silo"]
