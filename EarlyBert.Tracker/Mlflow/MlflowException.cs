namespace EarlyBert.Tracker.Mlflow;

/// <summary>An MLflow error: its <c>error_code</c>, the HTTP status MLflow pairs with it, and the message.</summary>
public sealed class MlflowException(string errorCode, int statusCode, string message) : Exception(message)
{
    /// <summary>MLflow's error code, e.g. <c>RESOURCE_DOES_NOT_EXIST</c>.</summary>
    public string ErrorCode { get; } = errorCode;

    /// <summary>The HTTP status MLflow answers this code with.</summary>
    public int StatusCode { get; } = statusCode;

    /// <summary><c>INVALID_PARAMETER_VALUE</c>, 400.</summary>
    public static MlflowException Invalid(string message) => new("INVALID_PARAMETER_VALUE", StatusCodes.Status400BadRequest, message);

    /// <summary><c>RESOURCE_DOES_NOT_EXIST</c>, 404.</summary>
    public static MlflowException NotFound(string message) => new("RESOURCE_DOES_NOT_EXIST", StatusCodes.Status404NotFound, message);

    /// <summary><c>RESOURCE_ALREADY_EXISTS</c>, 400.</summary>
    public static MlflowException AlreadyExists(string message) => new("RESOURCE_ALREADY_EXISTS", StatusCodes.Status400BadRequest, message);

    /// <summary><c>ENDPOINT_NOT_FOUND</c>, 404.</summary>
    public static MlflowException NoEndpoint(string message) => new("ENDPOINT_NOT_FOUND", StatusCodes.Status404NotFound, message);

    /// <summary><c>MALFORMED_REQUEST</c>, 400.</summary>
    public static MlflowException Malformed(string message) => new("MALFORMED_REQUEST", StatusCodes.Status400BadRequest, message);

    /// <summary><c>INVALID_STATE</c>, 400.</summary>
    public static MlflowException InvalidState(string message) => new("INVALID_STATE", StatusCodes.Status400BadRequest, message);

    /// <summary><c>NOT_IMPLEMENTED</c>, 501.</summary>
    public static MlflowException NotImplemented(string message) => new("NOT_IMPLEMENTED", StatusCodes.Status501NotImplemented, message);
}
