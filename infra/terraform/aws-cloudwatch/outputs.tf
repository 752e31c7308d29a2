output "log_group_name" {
  description = "CRONHOOK_LOGS_CLOUDWATCH_LOG_GROUP."
  value       = aws_cloudwatch_log_group.runs.name
}

output "log_group_arn" {
  description = "ARN of the run log group."
  value       = aws_cloudwatch_log_group.runs.arn
}

output "region" {
  description = "CRONHOOK_LOGS_CLOUDWATCH_REGION / AWS_REGION."
  value       = var.aws_region
}

output "iam_user_arn" {
  description = "The IAM user the app authenticates as."
  value       = aws_iam_user.cronhook.arn
}

output "access_key_id" {
  description = "Its access key id (the secret half is only in the Kubernetes Secret and the state)."
  value       = aws_iam_access_key.cronhook.id
}

output "kubernetes_secret" {
  description = "Secret holding the access key."
  value       = "${kubernetes_secret.cloudwatch.metadata[0].namespace}/${kubernetes_secret.cloudwatch.metadata[0].name}"
}
