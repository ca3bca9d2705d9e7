# Gateway image: REST API, web page, API reference; an Orleans client (no ONNX Runtime, no ffmpeg).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/VideoDiffusion.Farm.Gateway -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
EXPOSE 8080
ENTRYPOINT ["dotnet", "VideoDiffusion.Farm.Gateway.dll"]
