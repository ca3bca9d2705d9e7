// The gateway: REST API and web page in front of the cluster. Health only for now; the API arrives with cluster mode.
var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.MapGet("/healthz", () => Results.Ok(new { status = "ok" }));
app.Run();
