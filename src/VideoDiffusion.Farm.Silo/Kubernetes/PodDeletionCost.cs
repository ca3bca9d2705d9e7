using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace VideoDiffusion.Farm.Silo.Kubernetes;

/// <summary>
/// The silo's <c>controller.kubernetes.io/pod-deletion-cost</c>: a ReplicaSet scaling in removes pods of lower cost
/// first, so an idle silo (nothing queued, nothing denoised since the last look) carries <see cref="Idle"/> and a busy
/// one <see cref="Busy"/>. Two levels only: Kubernetes advises against updating the annotation with every change of a
/// metric, and the order that matters is idle before busy.
/// </summary>
public static class PodDeletionCost
{
    public const string Annotation = "controller.kubernetes.io/pod-deletion-cost";
    public const int Idle = 0;
    public const int Busy = 1000;

    /// <summary>The cost for a silo with <paramref name="queuedWindowSteps"/> waiting that has denoised
    /// <paramref name="windowStepsSinceLastLook"/> since the previous decision.</summary>
    public static int For(int queuedWindowSteps, long windowStepsSinceLastLook) =>
        queuedWindowSteps > 0 || windowStepsSinceLastLook > 0 ? Busy : Idle;

    /// <summary>The pod's address in the Kubernetes API.</summary>
    public static Uri PodUri(KubernetesPodEnvironment pod) =>
        new(pod.ApiServer, $"/api/v1/namespaces/{Uri.EscapeDataString(pod.Namespace)}/pods/{Uri.EscapeDataString(pod.PodName)}");

    /// <summary>A JSON merge patch that sets only this annotation (the value is a string, as annotations are).</summary>
    public static string PatchBody(int cost) =>
        JsonSerializer.Serialize(new { metadata = new { annotations = new Dictionary<string, string> { [Annotation] = cost.ToString(CultureInfo.InvariantCulture) } } });

    /// <summary>The PATCH request for <paramref name="cost"/>, authorised with the service account's token.</summary>
    public static HttpRequestMessage PatchRequest(KubernetesPodEnvironment pod, int cost, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, PodUri(pod))
        {
            Content = new StringContent(PatchBody(cost), Encoding.UTF8, "application/merge-patch+json"),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/merge-patch+json"); // no charset: the API server matches the media type exactly
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }
}
