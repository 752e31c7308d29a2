# Run logs in CloudWatch Logs: one log group with a retention period, and an IAM user that can only
# write and read streams of that group. Its access key goes into the cluster as the Secret
# cronhook-cloudwatch (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, read by the AWS SDK's default chain).
# The secret access key is in this root's state: keep it in an encrypted backend.

resource "aws_cloudwatch_log_group" "runs" {
  name              = var.log_group_name
  retention_in_days = var.retention_in_days
}

resource "aws_iam_user" "cronhook" {
  name = var.iam_user_name
  path = "/cronhook/"
}

data "aws_iam_policy_document" "logs" {
  # streams and events of this one group, nothing else (no CreateLogGroup: the group exists)
  statement {
    sid = "RunLogStreams"
    actions = [
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "logs:GetLogEvents",
      "logs:DescribeLogStreams",
      "logs:FilterLogEvents",
    ]
    resources = [
      aws_cloudwatch_log_group.runs.arn,
      "${aws_cloudwatch_log_group.runs.arn}:log-stream:*",
    ]
  }
}

resource "aws_iam_user_policy" "logs" {
  name   = "cronhook-run-logs"
  user   = aws_iam_user.cronhook.name
  policy = data.aws_iam_policy_document.logs.json
}

resource "aws_iam_access_key" "cronhook" {
  user = aws_iam_user.cronhook.name
}

resource "kubernetes_secret" "cloudwatch" {
  metadata {
    name      = "cronhook-cloudwatch"
    namespace = var.namespace
  }
  data = {
    AWS_ACCESS_KEY_ID     = aws_iam_access_key.cronhook.id
    AWS_SECRET_ACCESS_KEY = aws_iam_access_key.cronhook.secret
  }
}
