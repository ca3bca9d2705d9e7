namespace VideoDiffusion.Farm.Abstractions.Api;

/// <summary>The body of <c>GET /v1/models</c>.</summary>
public sealed record ModelListView(IReadOnlyList<ModelInfo> Models);
