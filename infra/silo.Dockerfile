# Silo image: CPU ONNX Runtime by default; build with --build-arg ONNXRUNTIME_FLAVOR=Gpu on a CUDA base for GPUs.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG ONNXRUNTIME_FLAVOR=Cpu
WORKDIR /src
COPY . .
RUN dotnet publish src/VideoDiffusion.Farm.Silo -c Release -o /app -p:OnnxRuntimeFlavor=${ONNXRUNTIME_FLAVOR}

FROM mcr.microsoft.com/dotnet/runtime:10.0
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app .
COPY models /models
ENTRYPOINT ["dotnet", "VideoDiffusion.Farm.Silo.dll"]
