variable "aws_region" {
  description = "AWS region of the log group (the app's cronhook.logs.cloudwatch.region / AWS_REGION)."
  type        = string
  default     = "eu-central-1"
}

variable "log_group_name" {
  description = "CloudWatch Logs group for run logs (cronhook.logs.cloudwatch.log-group)."
  type        = string
  default     = "/cronhook/runs"
}

variable "retention_in_days" {
  description = "How long CloudWatch keeps run logs. One of the values CloudWatch accepts (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.retention_in_days)
    error_message = "retention_in_days must be a retention period CloudWatch Logs accepts."
  }
}

variable "iam_user_name" {
  description = "IAM user whose access key the app uses for CloudWatch Logs."
  type        = string
  default     = "cronhook-logs"
}

variable "kubeconfig_path" {
  description = "kubeconfig holding the cluster's context."
  type        = string
  default     = "~/.kube/config"
}

variable "kube_context" {
  description = "Context of the Cronhook cluster in the kubeconfig."
  type        = string
}

variable "namespace" {
  description = "Namespace Cronhook runs in (created by infra/terraform/cluster-secrets)."
  type        = string
  default     = "cronhook"
}
