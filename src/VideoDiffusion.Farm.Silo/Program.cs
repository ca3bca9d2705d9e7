using Microsoft.Extensions.Hosting;

// The silo host: localhost clustering for now; Redis clustering, persistence and artifacts arrive with cluster mode.
var builder = Host.CreateApplicationBuilder(args);
builder.UseOrleans(silo => silo.UseLocalhostClustering());
await builder.Build().RunAsync();
