using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using WorkflowHost.Engine.Definitions;
using WorkflowHost.Engine.Expressions;
using WorkflowHost.Engine.Runtime;

namespace WorkflowHost.Server.Hosting;

/// <summary>
/// Maps domain exceptions to problem responses so bad input never becomes a 500:
/// unknown ids → 404, a transition the task's state forbids → 409, an invalid definition or value → 400
/// with <c>errors</c>, malformed JSON bodies → 400, a lost write race → 409 (retry).
/// </summary>
internal sealed class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, errors) = exception switch
        {
            KeyNotFoundException e => (StatusCodes.Status404NotFound, e.Message, null),
            TaskStateException e => (StatusCodes.Status409Conflict, e.Message, null),
            WorkflowConcurrencyException e => (StatusCodes.Status409Conflict, e.Message, null),
            InvalidWorkflowDefinitionException e => (StatusCodes.Status400BadRequest, "Invalid workflow definition.",
                e.Problems.GroupBy(p => p.Path).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray())),
            ExpressionEvaluationException e => (StatusCodes.Status400BadRequest, e.Message, null),
            BadHttpRequestException e => (e.StatusCode, e.Message, null),
            _ => (0, null, (Dictionary<string, string[]>?)null),
        };
        if (status == 0) return false;
        logger.LogInformation("Request {Path} answered {Status}: {Message}", httpContext.Request.Path, status, exception.Message);
        httpContext.Response.StatusCode = status;
        var details = errors is null ? new ProblemDetails { Status = status, Title = title } : new ValidationProblemDetails(errors) { Status = status, Title = title };
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = details, Exception = exception });
    }
}
