var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.MapGet("/", () => "NumoTelemetry sample");
app.Run();
