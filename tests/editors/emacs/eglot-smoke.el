;;; eglot-smoke.el --- the eglot snippet of client-neovim/OTHER_EDITORS.md, driven in batch  -*- lexical-binding: t -*-
;; Usage (from a copy of examples/shop, `specls' on PATH):
;;   emacs --batch -l tests/editors/emacs/eglot-smoke.el
;; Prints "ok - ..." per check and exits 1 on the first failure.
(require 'eglot)
(require 'markdown-mode)
(require 'flymake)

;; --- the snippet from OTHER_EDITORS.md ---------------------------------------
(defun specls-project-root (dir)
  "The directory holding spec.lock or specls.toml above DIR, as a project."
  (when-let ((root (or (locate-dominating-file dir "spec.lock")
                       (locate-dominating-file dir "specls.toml"))))
    (cons 'transient root)))
(add-hook 'project-find-functions #'specls-project-root)
(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs
               '((markdown-mode gfm-mode)
                 . ("specls" "serve" :initializationOptions (:trusted :json-false)))))
(add-hook 'markdown-mode-hook #'eglot-ensure)
;; ------------------------------------------------------------------------------

(defun smoke-fail (fmt &rest args)
  (princ (format "not ok - %s\n" (apply #'format fmt args)))
  (kill-emacs 1))

(defun smoke-wait (secs pred what)
  (let ((deadline (+ (float-time) secs)) (value nil))
    (while (and (not (setq value (funcall pred))) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (or value (smoke-fail "timed out waiting for %s" what))))

;; Batch Emacs runs no idle timers: push changes and poll flymake by hand.
(defun smoke-diags (re)
  (eglot--signal-textDocument/didChange)
  (flymake-start)
  (seq-filter (lambda (d) (string-match-p re (flymake-diagnostic-text d)))
              (flymake-diagnostics)))

(let* ((root default-directory)
       (spec (expand-file-name "specs/auth.spec.md" root)))
  (find-file spec)
  (unless (derived-mode-p 'markdown-mode) (markdown-mode))
  ;; eglot-ensure defers to post-command-hook, which batch mode never runs.
  (apply #'eglot (eglot--guess-contact))
  (smoke-wait 30 (lambda () (let ((s (eglot-current-server))) (and s (jsonrpc-running-p s))))
              "eglot to connect")
  (princ (format "ok - eglot connected to %s\n" (plist-get (eglot--server-info (eglot-current-server)) :name)))
  (goto-char (point-max))
  (insert "\n[@use](missing.spec.md#nowhere)\n")
  (smoke-wait 20 (lambda () (smoke-diags "SPEC10[12]")) "a SPEC101/102 diagnostic in flymake")
  (princ (format "ok - diagnostic: %s\n" (flymake-diagnostic-text (car (smoke-diags "SPEC10[12]")))))
  (goto-char (point-min))
  (re-search-forward "^```python file=\\.\\./src/shop/auth\\.py")
  (re-search-forward "^```$")
  (beginning-of-line)
  (insert "# edited from eglot\n")
  (smoke-wait 20 (lambda () (smoke-diags "stale")) "a stale (SPEC201) diagnostic in flymake")
  (princ (format "ok - stale: %s\n" (flymake-diagnostic-text (car (smoke-diags "stale")))))
  (let ((result (jsonrpc-request (eglot-current-server) :workspace/executeCommand
                                 '(:command "specls.status" :arguments [(:dummy 1)]))))
    (princ (format "ok - specls.status: %S\n" result)))
  (set-buffer-modified-p nil)
  (eglot-shutdown (eglot-current-server))
  (princ "3 passed, 0 failed\n")
  (kill-emacs 0))
