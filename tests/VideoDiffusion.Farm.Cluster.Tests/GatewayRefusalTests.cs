using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using VideoDiffusion.Farm.Abstractions.Api;

namespace VideoDiffusion.Farm.Cluster.Tests;

/// <summary>Every bad request gets the right status and a problem+json body naming the field, and changes nothing.</summary>
[Collection(ClusterCollection.Name)]
public sealed class GatewayRefusalTests(FarmCluster cluster)
{
    private static readonly (string Name, string Body, HttpStatusCode Status, string Field)[] BadBodies =
    [
        ("empty prompt", """{"prompt":""}""", HttpStatusCode.BadRequest, "prompt"),
        ("blank prompt", """{"prompt":"   "}""", HttpStatusCode.BadRequest, "prompt"),
        ("neither prompt nor storyboard", """{"seconds":4}""", HttpStatusCode.BadRequest, "prompt"),
        ("unknown model", """{"prompt":"a red ball","model":"no-such-model"}""", HttpStatusCode.BadRequest, "model"),
        ("seconds zero", """{"prompt":"a red ball","seconds":0}""", HttpStatusCode.BadRequest, "seconds"),
        ("seconds negative", """{"prompt":"a red ball","seconds":-3}""", HttpStatusCode.BadRequest, "seconds"),
        ("seconds above the maximum", """{"prompt":"a red ball","seconds":121}""", HttpStatusCode.BadRequest, "seconds"),
        ("overlap above window/2", """{"prompt":"a red ball","window":16,"overlap":9}""", HttpStatusCode.BadRequest, "overlap"),
        ("steps zero", """{"prompt":"a red ball","steps":0}""", HttpStatusCode.BadRequest, "steps"),
        ("negative guidance", """{"prompt":"a red ball","guidance":-1}""", HttpStatusCode.BadRequest, "guidance"),
        ("guidance focus out of range", """{"prompt":"a red ball","guidanceFocus":9}""", HttpStatusCode.BadRequest, "guidanceFocus"),
        ("malformed JSON", """{"prompt":"a red ball",""", HttpStatusCode.BadRequest, "body"),
        ("not an object", """["a red ball"]""", HttpStatusCode.BadRequest, "body"),
        ("unknown field", """{"prompt":"a red ball","colour":"red"}""", HttpStatusCode.BadRequest, "colour"),
        ("wrong type", """{"prompt":"a red ball","seconds":"ten"}""", HttpStatusCode.BadRequest, "seconds"),
        ("unknown strategy", """{"prompt":"a red ball","strategy":"magic"}""", HttpStatusCode.BadRequest, "strategy"),
        ("storyboard gap", """{"storyboard":[{"prompt":"a red ball","from":0,"to":2},{"prompt":"a blue cube","from":3,"to":4}]}""", HttpStatusCode.BadRequest, "storyboard[1].from"),
        ("storyboard overlap", """{"storyboard":[{"prompt":"a red ball","from":0,"to":2},{"prompt":"a blue cube","from":1,"to":4}]}""", HttpStatusCode.BadRequest, "storyboard[1].from"),
        ("storyboard empty segment", """{"storyboard":[{"prompt":"a red ball","from":0,"to":2},{"prompt":"a blue cube","from":2,"to":2}]}""", HttpStatusCode.BadRequest, "storyboard[1].to"),
        ("oversized body", "{\"prompt\":\"" + new string('a', 20_000) + "\"}", HttpStatusCode.RequestEntityTooLarge, "body"),
    ];

    [Fact]
    public async Task BadRequestsAreRefusedWithProblemDetailsLeaveNoJobAndDoNotDisturbARunningJob()
    {
        using var owner = cluster.Client(FarmCluster.Keys["tenant-c"]);
        var running = await FarmJobs.SubmitAsync(owner, new { prompt = "a purple rocket flying up in space", seconds = 30, steps = 10 });
        var jobsBefore = await JobIdsAsync(owner);
        var failures = new List<string>();

        foreach (var (name, body, status, field) in BadBodies)
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await owner.PostAsync("v1/jobs", content);
            await ExpectProblemAsync(failures, name, response, status, field);
        }
        using (var text = new StringContent("prompt=a red ball", Encoding.UTF8, "text/plain"))
        {
            await ExpectProblemAsync(failures, "not JSON", await owner.PostAsync("v1/jobs", text), HttpStatusCode.UnsupportedMediaType, "body");
        }

        using (var anonymous = cluster.Client(null))
        {
            await ExpectProblemAsync(failures, "missing key", await anonymous.PostAsJsonAsync("v1/jobs", new { prompt = "a red ball" }), HttpStatusCode.Unauthorized, "apiKey");
            await ExpectProblemAsync(failures, "missing key (list)", await anonymous.GetAsync("v1/jobs"), HttpStatusCode.Unauthorized, "apiKey");
        }
        using (var wrong = cluster.Client("not-a-key"))
        {
            await ExpectProblemAsync(failures, "wrong key", await wrong.GetAsync($"v1/jobs/{running.Id}"), HttpStatusCode.Unauthorized, "apiKey");
        }
        using (var readOnly = cluster.Client(FarmCluster.ReadOnlyKey))
        {
            await ExpectProblemAsync(failures, "read-only key submitting", await readOnly.PostAsJsonAsync("v1/jobs", new { prompt = "a red ball" }), HttpStatusCode.Forbidden, "apiKey");
        }
        using (var other = cluster.Client(FarmCluster.Keys["tenant-d"]))
        {
            await ExpectProblemAsync(failures, "another tenant's job", await other.GetAsync($"v1/jobs/{running.Id}"), HttpStatusCode.NotFound, "id");
            await ExpectProblemAsync(failures, "another tenant's events", await other.GetAsync($"v1/jobs/{running.Id}/events"), HttpStatusCode.NotFound, "id");
            await ExpectProblemAsync(failures, "another tenant's video", await other.GetAsync($"v1/jobs/{running.Id}/video"), HttpStatusCode.NotFound, "id");
            await ExpectProblemAsync(failures, "another tenant's cancel", await other.PostAsync($"v1/jobs/{running.Id}:cancel", null), HttpStatusCode.NotFound, "id");
            Assert.DoesNotContain(running.Id, await JobIdsAsync(other));
        }
        await ExpectProblemAsync(failures, "unknown job", await owner.GetAsync("v1/jobs/tenant-c-0000000000000000"), HttpStatusCode.NotFound, "id");

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.Equal(jobsBefore, await JobIdsAsync(owner));
        var done = await FarmJobs.WaitAsync(owner, running.Id, TimeSpan.FromMinutes(5));
        Assert.True(done.State == "completed", $"the running job was disturbed: {done.State} {done.Error}");
    }

    private static async Task<List<string>> JobIdsAsync(HttpClient http) =>
        (await http.GetFromJsonAsync<JobListView>("v1/jobs", ApiJson.Options))!.Jobs.Select(j => j.Id).ToList();

    private static async Task ExpectProblemAsync(List<string> failures, string name, HttpResponseMessage response, HttpStatusCode status, string field)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != status)
            {
                failures.Add($"{name}: expected {(int)status}, got {(int)response.StatusCode} {body}");
                return;
            }
            if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
            {
                failures.Add($"{name}: content type {response.Content.Headers.ContentType}");
                return;
            }
            using var problem = JsonDocument.Parse(body);
            var named = problem.RootElement.TryGetProperty("field", out var f) ? f.GetString() : null;
            if (named != field || !problem.RootElement.TryGetProperty("detail", out _) || problem.RootElement.GetProperty("status").GetInt32() != (int)status)
            {
                failures.Add($"{name}: expected field '{field}', got {body}");
            }
        }
    }
}
